using System.Diagnostics;
using ShmMaps.Core.Epochs;
using ShmMaps.LeftRight;

namespace ShmMaps;

/// <summary>
/// A reader of a left-right map: usable from any thread; each thread that takes a guard holds one of the
/// map's reader slots until the thread ends or this reader is disposed.
/// </summary>
/// <typeparam name="TKey">The key type; unmanaged, without padding.</typeparam>
/// <typeparam name="TValue">The value type; unmanaged.</typeparam>
public sealed unsafe partial class LeftRightReader<TKey, TValue> : IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly LeftRightTable _table;
    private readonly ReaderSlotTable _slots;
    private readonly ulong* _published;
    private readonly ulong _seed;
    private readonly ulong _prepared8;
    private volatile bool _disposed;

    /// <summary>This handle's threads in <see cref="WaitForPublish"/>: disposing waits for them to leave before unmapping.</summary>
    private readonly ParkedThreads _sleepers = new();

    internal LeftRightReader(MapRegion region)
    {
        _region = region;
        try
        {
            _table = LeftRightTable.Open(region);
        }
        catch
        {
            region.Dispose();
            throw;
        }
        _slots = _table.Readers;
        _published = &_table.Control->Published;
        _seed = region.HashSeed;
        _prepared8 = XxHash3.Prepare8(_seed);
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of entries the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>A number drawn when the map's file was created: a file made again under the same name has another.</summary>
    public ulong FileIdentity => _seed;

    /// <summary>
    /// A snapshot of the map as last published, until disposed: every lookup through it sees the same publish.
    /// Wait-free (a few loads and stores in this thread's reader slot); no allocation. A guard taken while this thread holds another shares
    /// that one's snapshot. Dispose it on the thread that took it, innermost first: an outermost guard disposed
    /// elsewhere throws, and stays pinned until this thread's next guard of the reader ends it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadGuard<TKey, TValue> Guard()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
        ReaderSlotLease lease = _slots.Current;
        return new ReadGuard<TKey, TValue>(this, lease, lease.Enter(_published));
    }

    /// <summary>The publish sequence: how many publishes the map has seen (it moves on with each one).</summary>
    public ulong PublishSequence => SharedMemory.ReadAcquire(_published);

    /// <summary>
    /// Sleeps until a writer of any process publishes past <paramref name="seen"/> (a <see cref="PublishSequence"/> this
    /// thread read), or <paramref name="timeout"/> passes (<see cref="Timeout.InfiniteTimeSpan"/>: none); true if it
    /// did. No polling: the thread parks on the sequence (a futex), and the publish wakes it.
    /// </summary>
    public bool WaitForPublish(ulong seen, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a wait is zero or more, or Timeout.InfiniteTimeSpan");
        }
        return Sleep(seen, timeout, CancellationToken.None);
    }

    /// <summary>
    /// Completes with the new <see cref="PublishSequence"/> once a writer of any process publishes past
    /// <paramref name="seen"/>; the wait parks a thread of the pool's (a futex), as <see cref="WaitForPublish"/> does.
    /// </summary>
    public Task<ulong> WaitForPublishAsync(ulong seen, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (PublishSequence != seen)
        {
            return Task.FromResult(PublishSequence);
        }
        return Task.Factory.StartNew(() =>
        {
            Sleep(seen, Timeout.InfiniteTimeSpan, cancellationToken);
            return PublishSequence;
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Parks until the sequence leaves <paramref name="seen"/>, the time is up, or <paramref name="cancellation"/> (which wakes the parked).</summary>
    private bool Sleep(ulong seen, TimeSpan timeout, CancellationToken cancellation)
    {
        _sleepers.Enter(Name); // throws once the reader is disposed
        try
        {
            LeftRightControl* control = _table.Control;
            int* word = (int*)_published; // the sequence's low half: a futex is 32 bits
            // Full fence: a writer that publishes after this sees a sleeper and wakes it; one that published before is seen below.
            Interlocked.Increment(ref control->Sleepers);
            using CancellationTokenRegistration registration = cancellation.Register(() => _region.Platform.WakeAll(word));
            try
            {
                long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                while (SharedMemory.ReadAcquire(_published) == seen)
                {
                    cancellation.ThrowIfCancellationRequested();
                    ThrowIfDisposed();
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        return false;
                    }
                    // At most five seconds at a time: a writer of a version that wakes no one still ends a wait within them.
                    _region.Platform.Park(word, (int)seen, TimeSpan.FromSeconds(Math.Min(5.0, (double)left / Stopwatch.Frequency)));
                }
                return true;
            }
            finally
            {
                Interlocked.Decrement(ref control->Sleepers);
            }
        }
        finally
        {
            _sleepers.Exit();
        }
    }

    /// <summary>Wakes every thread parked on the publish sequence, in every process (each goes back to sleep if it has nothing to do).</summary>
    private void WakeSleepers() => _region.Platform.WakeAll((int*)_published);

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>Closes this reader and frees its threads' slots. No guard of it may be open; a thread waiting for a publish is woken and told.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _sleepers.Close(WakeSleepers);
        _slots.Dispose();
        _region.Dispose();
    }

    internal long CountOf(int copy) => SharedMemory.ReadAcquire(&_table.Control->Counts[copy]);

    /// <summary>The table copy <paramref name="copy"/> is on: read by a guard pinned to it, so the writer does not change it meanwhile.</summary>
    internal LeftRightCopy<TKey, TValue> Copy(int copy)
    {
        int generation = _table.GenerationOf(copy);
        return new(_table.CellsOf(copy, generation), _table.CellCountOf(generation));
    }

    /// <summary><see cref="Copy"/>, false instead of an exception for a table the file has no room for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryCopy(int copy, out LeftRightCopy<TKey, TValue> table)
    {
        long generation = SharedMemory.ReadAcquire(&_table.Control->Generations[copy]); // acquire: the table's cells were written first
        if ((ulong)generation >= (ulong)_table.Tables)
        {
            table = default;
            return false;
        }
        table = new(_table.CellsOf(copy, (int)generation), _table.CellCountOf((int)generation));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Hash(in TKey key) => KeyBytes<TKey>.Hash(key, _seed, _prepared8);
}
