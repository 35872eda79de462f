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

    /// <summary>Closes this reader and frees its threads' slots. No guard of it may be open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
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
