using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>
/// A hash map in a shared file where every cell is its own seqlock: lookups never lock (they retry a torn
/// copy), writers lock one cell, and a process killed at any instant leaves every entry whole. The map grows
/// while processes use it.
/// </summary>
/// <remarks>
/// Layout and probing: <see cref="SeqMapLayout"/>. Keys compare and hash by their bytes (XXH3 seeded per
/// map), so <typeparamref name="TKey"/> must have no padding. The first table holds <c>capacity</c> entries at or below
/// <see cref="ShmOptions.MaxLoad"/>; past that load (0.5 by default) an insert starts a table twice as large, and
/// the writers of every process copy the old one into it a stripe at a time (<see cref="SeqMap{TKey,TValue}"/>'s
/// growth protocol is in SeqMap.Growth.cs) while lookups read both. With <see cref="ShmOptions.MaxCapacity"/>, the
/// largest table accepts new keys until every cell is used, then throws <see cref="MapFullException"/> (and stays usable).
/// </remarks>
/// <typeparam name="TKey">The key type; unmanaged, without padding.</typeparam>
/// <typeparam name="TValue">The value type; unmanaged.</typeparam>
public sealed unsafe partial class SeqMap<TKey, TValue> : IShmMapOpener<SeqMap<TKey, TValue>, TKey, TValue>
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly SeqMapLayout _layout;
    private readonly TableDirectory _directory;
    private readonly TableRetirement _retirement;
    private readonly Migration _migration;
    private readonly ulong _seed;
    private readonly ulong _prepared8;
    private ViewCache<SeqView> _views;

    private SeqMap(MapRegion region)
    {
        _region = region;
        // The header's key and value sizes are these types' (checked at open), so the layout's cells are this map's.
        _layout = SeqMapLayout.Open(region);
        _directory = _layout.Directory;
        _seed = region.HashSeed;
        _prepared8 = XxHash3.Prepare8(_seed);
        ulong state = SharedMemory.ReadAcquire(_directory.State);
        _layout.EnsureReserved(state);
        _retirement = new TableRetirement(region, _directory, _layout.GivenBack);
        _views = new ViewCache<SeqView>(_directory, state, _layout.View, static last => SeqView.Closed(last.Newest), _retirement, region.Name);
        _migration = new Migration(this);
        _retirement.OnOpen(state); // and tables no handle reads any more while no writer came by
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of entries the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>The number of cells of the table writes go to now (it doubles at each growth).</summary>
    public long CellCount => View().Newest.CellCount;

    /// <summary>The number of entries, summed over the writer lanes of all processes.</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return _region.Lanes.SumEntryCounts();
        }
    }

    /// <summary>Creates a new map for <paramref name="capacity"/> entries; <see cref="MapExistsException"/> if the name exists.</summary>
    public static SeqMap<TKey, TValue> Create(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.Create(name, Spec(capacity, options), options).Adopt(static region => new SeqMap<TKey, TValue>(region));

    /// <summary>Opens an existing map; <see cref="LayoutMismatchException"/> if its kind or types differ.</summary>
    public static SeqMap<TKey, TValue> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, Spec(0, options), options).Adopt(static region => new SeqMap<TKey, TValue>(region));

    /// <summary>Opens the map, creating it for <paramref name="capacity"/> entries if it does not exist.</summary>
    public static SeqMap<TKey, TValue> OpenOrCreate(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, Spec(capacity, options), options).Adopt(static region => new SeqMap<TKey, TValue>(region));

    /// <summary>Deletes the map's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent; set is <see cref="Insert"/>.</summary>
    public TValue this[TKey key]
    {
        get
        {
            if (!TryGetValue(key, out TValue value))
            {
                ThrowHelper.ThrowKeyNotFound(key);
            }
            return value;
        }
        set => Insert(key, value);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public TValue? Get(TKey key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>True if the map holds <paramref name="key"/>.</summary>
    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>Looks <paramref name="key"/> up without taking any lock.</summary>
    /// <remarks>
    /// Most keys sit in their home cell: if this process's view names one table, one seqlock read of the home
    /// cell there finds them, without the state word. That is safe because a migration marks each entry
    /// <see cref="SeqCellLayout.Moved"/> (under its lock) before any write of the key lands in the next table, and a
    /// table given back reads as zero: an occupied, unmarked entry was the key's when read, whatever the state.
    /// Every other lookup reads the state word first and uses the tables it names; a key found is the map's, and a
    /// key not found is believed only if the state word is unchanged after the search. A disposed handle's view names
    /// no steady table, so its lookups take that slow path, which throws.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        ulong hash = Hash(key);
        SeqView view = _views.Cached;
        if (view.SteadyCells != null && HoldsAtHome(view.SteadyCells + ((long)(hash & (ulong)view.Mask) * CellStride), key, out value))
        {
            return true;
        }
        // The slow path returns its value rather than writing through a reference, so that the caller's value stays in a register.
        (bool found, value) = TryGetSlow(hash, key);
        return found;
    }

    /// <summary>A lookup past the home cell, in a migration, or after the state changed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool Found, TValue Value) TryGetSlow(ulong hash, TKey key)
    {
        ThrowIfDisposed();
        while (true)
        {
            ulong state = SharedMemory.ReadAcquire(_directory.State);
            SeqView view = _views.Cached;
            if (view.State != state)
            {
                view = _views.Refresh(state);
            }
            bool found = view.Older is null ? FindInHome(view.Newest, hash, key, out TValue value) : FindMigrating(view, hash, key, out value);
            SharedMemory.LoadLoadBarrier();
            if (*_directory.State == state)
            {
                return (found, value);
            }
        }
    }

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose()
    {
        _views.Close();
        _region.Dispose();
    }

    /// <summary>The map's own flag, read by every operation but a lookup its home cell answers (that one sees disposal in the view): no hop to the region.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_views.IsClosed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    /// <summary>The cell size: a constant of each instantiation, so that the JIT folds index arithmetic.</summary>
    private static int CellStride
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SeqCellLayout.KeyOffset + Unsafe.SizeOf<TKey>() + Unsafe.SizeOf<TValue>() + 7) & ~7;
    }

    private static int ValueOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SeqCellLayout.KeyOffset + Unsafe.SizeOf<TKey>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Cell(SeqTable table, long index) => table.CellBase + (index * CellStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TValue ValueAt(byte* cell) => Unsafe.ReadUnaligned<TValue>(cell + ValueOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(in TKey key) => KeyBytes<TKey>.Hash(key, _seed, _prepared8);

    /// <summary>Looks the key up in one table: its home cell first (most keys sit there), then the probe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FindInHome(SeqTable table, ulong hash, in TKey key, out TValue value)
    {
        long home = table.Home(hash);
        return HoldsAtHome(Cell(table, home), key, out value) || Find(table, home, key, out _, out _, out value);
    }

    /// <summary>One seqlock read of a home cell: true if it holds <paramref name="key"/> (unlocked, whole); no waiting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HoldsAtHome(byte* cell, in TKey key, out TValue value)
    {
        ulong word = SharedMemory.ReadAcquire((ulong*)cell);
        uint state = SeqCells.State(cell);
        TKey cellKey = SeqCells.Key<TKey>(cell);
        value = ValueAt(cell);
        return SeqCells.Validate(cell, word) && !LockWord.IsLocked(word) && state == SeqCellLayout.Occupied && KeyBytes<TKey>.Equal(cellKey, key);
    }

    /// <summary>
    /// Finds <paramref name="key"/> among the cells of home <paramref name="home"/>'s probe range; on success
    /// gives the cell and the unlocked word under which it held the key. With <paramref name="movedIsEntry"/> (a
    /// table being migrated out of), an entry marked <see cref="SeqCellLayout.Moved"/> counts too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Find(SeqTable table, long home, in TKey key, out byte* found, out ulong foundWord, out TValue value, bool movedIsEntry = false)
    {
        byte* homeCell = Cell(table, home);
        uint limit = ProbeLimit(table, homeCell);
        byte* cell = homeCell;
        for (uint distance = 0; ; )
        {
            ulong word = ReadCell(table, cell, out uint state, out TKey cellKey, out value);
            if ((state == SeqCellLayout.Occupied || (movedIsEntry && state == SeqCellLayout.Moved)) && KeyBytes<TKey>.Equal(cellKey, key))
            {
                found = cell;
                foundWord = word;
                return true;
            }
            if (++distance > limit)
            {
                break;
            }
            cell = Cell(table, (home + distance) & table.Mask);
        }
        found = null;
        foundWord = 0;
        value = default;
        return false;
    }

    /// <summary>
    /// The probe limit of home cell <paramref name="homeCell"/> (acquire: a limit raised by an insert is seen no later
    /// than the cells it covers), never past the table: a larger one, which only a damaged file holds, would make a
    /// probe go round the table forever.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ProbeLimit(SeqTable table, byte* homeCell) =>
        (uint)Math.Min(SharedMemory.ReadAcquire((uint*)(homeCell + SeqCellLayout.ProbeLimitOffset)), (ulong)table.Mask);

    /// <summary>Copies a cell's state, key and value whole (waiting for a writer); returns the word they were read under.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadCell(SeqTable table, byte* cell, out uint state, out TKey key, out TValue value)
    {
        while (true)
        {
            ulong word = table.Cells.ReadWord(cell);
            state = SeqCells.State(cell);
            key = SeqCells.Key<TKey>(cell);
            value = ValueAt(cell);
            if (SeqCells.Validate(cell, word))
            {
                return word;
            }
        }
    }

    private static RegionSpec Spec(long capacity, ShmOptions? options)
    {
        KeyBytes<TKey>.EnsureNoPadding();
        return SeqMapLayout.Spec(capacity, options?.MaxLoad, options?.MaxCapacity, SeqCellLayout.For<TKey, TValue>(hasKey: true), TypeLayout.NameOf<TKey>(), TypeLayout.NameOf<TValue>());
    }
}
