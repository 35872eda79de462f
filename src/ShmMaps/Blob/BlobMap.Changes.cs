using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>How a <see cref="BlobMap"/>'s changes reach watchers in every process: its change log (<see cref="BlobChangeLog"/>).</summary>
public sealed unsafe partial class BlobMap
{
    /// <summary>The longest key a change names (longer ones come with a null key).</summary>
    public const int MaxLoggedKeyLength = BlobChangeLog.MaxKeyBytes;

    /// <summary>How long a watcher waits for a change whose position was taken to be logged whole before it reports it missed (its writer died).</summary>
    private static readonly TimeSpan UnfinishedChangeWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The change log once this handle found it (its place never changes).</summary>
    private byte* _changeLog;

    /// <summary>The threads following the change log for this handle's watchers, which disposing the handle stops first.</summary>
    private readonly ParkedThreads _watchers = new();

    /// <summary>
    /// The changes every process makes to the map from now on, as they happen: keys set, removed or evicted, in the
    /// order each key's writes were made, without polling (the watcher parks on the log between changes). The log
    /// holds the last 4,096 changes: a watcher that falls further behind, or meets a change whose writer died while
    /// logging it, gets a <see cref="BlobChangeKind.Missed"/> change and must read again what it keeps of the map.
    /// The first watcher of a map makes its log (1 MiB of the heap); from then on every write logs its key.
    /// </summary>
    public IAsyncEnumerable<BlobChange> WatchChangesAsync(CancellationToken cancellationToken = default) => Watch(cancellationToken);

    private async IAsyncEnumerable<BlobChange> Watch([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<BlobChange>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Thread follower = StartFollowing(changes.Writer, stop.Token);
        try
        {
            await foreach (BlobChange change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            stop.Cancel();
            WakeWatchers();
            follower.Join();
        }
    }

    /// <summary>Starts a thread following the change log (made first if the map has none) from its head now into <paramref name="changes"/>.</summary>
    private Thread StartFollowing(ChannelWriter<BlobChange> changes, CancellationToken stop)
    {
        ThrowIfDisposed();
        BlobChangeLog log = EnsureChangeLog();
        ulong from = SharedMemory.ReadAcquire(log.Head);
        var thread = new Thread(() => Follow(log, from, changes, stop)) { IsBackground = true, Name = $"shmmaps watch {Name}" };
        _watchers.Enter(Name); // throws once the handle is disposed
        try
        {
            thread.Start();
        }
        catch
        {
            _watchers.Exit();
            throw;
        }
        return thread;
    }

    /// <summary>Wakes every watcher parked on the map's change log, in every process (each goes back to sleep if it has nothing to do).</summary>
    private void WakeWatchers()
    {
        if (ChangeLog() is { } log)
        {
            _region.Platform.WakeAll((int*)log.Head);
        }
    }

    /// <summary>The change log, made at the heap's frontier by the first watcher of the map (of any process).</summary>
    private BlobChangeLog EnsureChangeLog() =>
        new(HeapArea(ref _changeLog, _layout.Control.ChangeLog, BlobChangeLog.Bytes, "the change log", create: true));

    /// <summary>The change log if the map has one (checked to lie in the heap handed out), else null.</summary>
    private BlobChangeLog? ChangeLog()
    {
        byte* log = HeapArea(ref _changeLog, _layout.Control.ChangeLog, BlobChangeLog.Bytes, "the change log", create: false);
        return log is null ? null : new BlobChangeLog(log);
    }

    /// <summary>The bytes of the change log in the heap (0: none), for the census.</summary>
    private long ChangeLogBytes => SharedMemory.ReadAcquire(_layout.Control.ChangeLog) == 0 ? 0 : BlobChangeLog.Bytes;

    /// <summary>
    /// Under the stripe's lock, before a write's entry goes into its cell: logs the change if the map has a log; returns
    /// the log and the position to mark whole once the entry is in the cell (<see cref="LogComplete"/>).
    /// </summary>
    private (BlobChangeLog Log, ulong Position)? LogBegin(BlobRecord* record, ulong old, ulong entry)
    {
        if (ChangeLog() is not { } log)
        {
            return null;
        }
        BlobChangeKind kind = BlobEntry.IsBlock(entry) ? BlobChangeKind.Set
            : record->Class == BlobRecord.Eviction ? BlobChangeKind.Evicted : BlobChangeKind.Removed;
        byte* block = BlockOf(BlobEntry.IsBlock(entry) ? entry : old, out int size);
        int keyLength = BlobBlock.KeyLength(block);
        if ((uint)keyLength > (uint)(size - BlobBlock.HeaderSize))
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': a block of {size} bytes says it holds a key of {keyLength} bytes");
        }
        return (log, log.Begin(kind, new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, keyLength)));
    }

    private void LogComplete((BlobChangeLog Log, ulong Position)? logged)
    {
        if (logged is { } change && change.Log.Complete(change.Position))
        {
            _region.Platform.WakeAll((int*)change.Log.Head); // the head's low half, where watchers park
        }
    }

    /// <summary>A watcher's thread: follows the log from <paramref name="from"/> into <paramref name="changes"/> until stopped or the handle is disposed.</summary>
    private void Follow(BlobChangeLog log, ulong from, ChannelWriter<BlobChange> changes, CancellationToken stop)
    {
        Exception? ended = null;
        try
        {
            using var stopOrClose = CancellationTokenSource.CreateLinkedTokenSource(stop, _watchers.Closing);
            stop = stopOrClose.Token;
            using CancellationTokenRegistration wake = stop.Register(() => _region.Platform.WakeAll((int*)log.Head));
            ulong next = from;
            while (!stop.IsCancellationRequested && !_watchers.IsClosed)
            {
                ulong head = SharedMemory.ReadAcquire(log.Head);
                if (head < next)
                {
                    // A head that went back: the log was damaged. Whatever came meanwhile is unknown.
                    Deliver(changes, new BlobChange(BlobChangeKind.Missed, null, 0, 1), stop);
                    next = head;
                }
                if (head - next > BlobChangeLog.Slots)
                {
                    Deliver(changes, new BlobChange(BlobChangeKind.Missed, null, 0, (long)(head - BlobChangeLog.Slots - next)), stop);
                    next = head - BlobChangeLog.Slots;
                }
                if (next != head)
                {
                    next = ReadOne(log, next, changes, stop);
                    continue;
                }
                Interlocked.Increment(ref *log.Sleepers); // full fence: a writer logging after it sees this watcher; one before, its head is seen
                try
                {
                    if (SharedMemory.ReadAcquire(log.Head) == next && !stop.IsCancellationRequested && !_watchers.IsClosed)
                    {
                        _region.Platform.Park((int*)log.Head, (int)next, TimeSpan.FromSeconds(5));
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref *log.Sleepers);
                }
            }
            if (_watchers.IsClosed)
            {
                ended = new ObjectDisposedException(Name, $"map '{Name}' was closed while watched");
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            ended = e;
        }
        finally
        {
            changes.TryComplete(ended);
            _watchers.Exit();
        }
    }

    /// <summary>Delivers position <paramref name="position"/> once its slot is whole (a missed change if it is overwritten or never finished); returns the next position.</summary>
    private ulong ReadOne(BlobChangeLog log, ulong position, ChannelWriter<BlobChange> changes, CancellationToken stop)
    {
        long deadline = 0;
        var spin = new SpinWait();
        while (true)
        {
            if (log.TryRead(position, out BlobChange change, out bool overwritten))
            {
                Deliver(changes, change, stop);
                return position + 1;
            }
            if (overwritten || (deadline != 0 && Stopwatch.GetTimestamp() > deadline))
            {
                Deliver(changes, new BlobChange(BlobChangeKind.Missed, null, 0, 1), stop);
                return position + 1;
            }
            if (deadline == 0)
            {
                deadline = Stopwatch.GetTimestamp() + (long)(UnfinishedChangeWait.TotalSeconds * Stopwatch.Frequency);
            }
            stop.ThrowIfCancellationRequested();
            spin.SpinOnce(sleep1Threshold: -1); // its writer is between taking the position and marking it whole
        }
    }

    private static void Deliver(ChannelWriter<BlobChange> changes, BlobChange change, CancellationToken stop)
    {
        if (!changes.TryWrite(change))
        {
            changes.WriteAsync(change, stop).AsTask().GetAwaiter().GetResult(); // the consumer is behind: wait (the log may overrun meanwhile)
        }
    }
}
