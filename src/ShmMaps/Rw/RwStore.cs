using ShmMaps.Rw;

namespace ShmMaps;

/// <summary>
/// Elements by id, each with its own reader-writer lock, shared by any number of processes: insert a value,
/// get an <see cref="ShmId"/>, hand the id to any process, which reads or writes the element in place under
/// the element's lock.
/// </summary>
/// <remarks>
/// Layout: <see cref="RwStoreLayout"/>. Elements live in slots grouped in blocks that never move; the file
/// spans every block at create and reserves memory for each block before its first slot is handed out (a full
/// file system is a <see cref="MapFullException"/> from that insert), so the store grows without remapping anyone. Removed slots are reused; every slot has one 8-byte word (generation and lock) and no
/// other overhead. A stale id (its element removed, the slot perhaps reused), an id of another store, or
/// <c>default</c> is <c>false</c>, never another element.
/// <para/>
/// Locks are held per thread: each thread that locks takes one of the store's lanes (<see cref="ShmOptions.WriterLanes"/>)
/// and can hold up to <see cref="ShmOptions.LocksPerThread"/> - 1 element locks at once. A lock may be released
/// on another thread. A lock is not reentrant: a thread that holds an element's read lock and asks for its write
/// lock waits for itself until the timeout. Insert and remove take a short store-wide lock on the free-slot list.
/// <para/>
/// A process killed while holding locks: other processes find it dead within a few milliseconds of waiting,
/// restore the value an unfinished write lock changed, and count the element's holders again.
/// </remarks>
/// <typeparam name="T">The element type; unmanaged, stored by its bytes.</typeparam>
public sealed unsafe partial class RwStore<T> : IDisposable where T : unmanaged
{
    private readonly MapRegion _region;
    private readonly RwTable _table;
    private readonly ulong _storeId;
    private readonly long _maxElements;
    private long _usedSlotsSeen;
    private volatile bool _disposed;

    private RwStore(MapRegion region)
    {
        _region = region;
        _table = RwTable.Open(region, Unsafe.SizeOf<T>());
        _storeId = _table.StoreId;
        _maxElements = _table.MaxElements;
    }

    /// <summary>The store's name.</summary>
    public string Name => _region.Name;

    /// <summary>The most elements the store holds at once (its reservation); an insert past it is a <see cref="MapFullException"/>.</summary>
    public long Capacity => _maxElements;

    /// <summary>The identity every id of this store carries.</summary>
    public ulong StoreId => _storeId;

    /// <summary>The laid-out file (for white-box tests).</summary>
    internal RwTable Table => _table;

    /// <summary>Creates an empty store with room for <see cref="RwStoreLayout.DefaultMaxElements"/> elements; <see cref="MapExistsException"/> if the name exists.</summary>
    public static RwStore<T> Create(string name, ShmOptions? options = null) => Create(name, RwStoreLayout.DefaultMaxElements, options);

    /// <summary>Creates an empty store with room for <paramref name="maxElements"/> elements at once.</summary>
    public static RwStore<T> Create(string name, long maxElements, ShmOptions? options = null) =>
        MapRegion.Create(name, RwStoreLayout.Spec<T>(maxElements, options), options).Adopt(static region => new RwStore<T>(region));

    /// <summary>Opens an existing store; <see cref="LayoutMismatchException"/> if it is not an <c>RwStore&lt;T&gt;</c>.</summary>
    public static RwStore<T> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, RwStoreLayout.Spec<T>(RwStoreLayout.DefaultMaxElements, options), options).Adopt(static region => new RwStore<T>(region));

    /// <summary>Opens the store, creating it (room for <see cref="RwStoreLayout.DefaultMaxElements"/>) if it does not exist.</summary>
    public static RwStore<T> OpenOrCreate(string name, ShmOptions? options = null) => OpenOrCreate(name, RwStoreLayout.DefaultMaxElements, options);

    /// <summary>Opens the store, creating it with room for <paramref name="maxElements"/> if it does not exist.</summary>
    public static RwStore<T> OpenOrCreate(string name, long maxElements, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, RwStoreLayout.Spec<T>(maxElements, options), options).Adopt(static region => new RwStore<T>(region));

    /// <summary>Deletes the store's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>Adds <paramref name="value"/> as a new element; returns its id.</summary>
    /// <exception cref="MapFullException">The store holds <see cref="Capacity"/> elements.</exception>
    public ShmId Insert(T value)
    {
        ThrowIfDisposed();
        LaneHolds holds = _table.CurrentHolds();
        long slot;
        uint generation;
        bool taken;
        FreeList.Lock(_table, holds);
        try
        {
            taken = FreeList.Take(_table, holds, out slot, out generation);
        }
        finally
        {
            FreeList.Unlock(_table);
        }
        if (!taken)
        {
            ThrowHelper.ThrowMapFull($"store '{Name}' holds its {_maxElements} elements; remove some or create a larger store");
        }
        ulong* word = _table.Locate(slot, out byte* bytes);
        *(T*)bytes = value;
        // Release: the value is written before the element is live (a locker reads it after its CAS).
        SharedMemory.WriteRelease(word, ElementWord.Live(generation));
        // Release: the slot is live before the allocation record stops naming it (a crash between is read from the word).
        SharedMemory.WriteRelease(&holds.Allocation->State, 0);
        return new ShmId(_storeId, HoldRecord.ElementOf(slot, generation));
    }

    /// <summary>Releases this handle's lanes (locks its threads still hold are released as a dead process's would be) and the mapping.</summary>
    public void Dispose()
    {
        _disposed = true;
        _region.Dispose();
    }

    private static TimeSpan CheckTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a timeout is zero or more, or Timeout.InfiniteTimeSpan");
        }
        return timeout;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    private void ThrowTooManyLocks() =>
        throw new ShmMapException($"store '{Name}': this thread holds {_table.HoldsPerLane - 1} element locks at once, the most the store " +
            "was created for (ShmOptions.LocksPerThread); release some first");
}
