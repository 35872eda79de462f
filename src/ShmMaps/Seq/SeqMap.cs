using System.Runtime.CompilerServices;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;
using ShmMaps.Keys;
using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>
/// A hash map in a shared file where every cell is its own seqlock: lookups never lock (they retry a torn
/// copy), writers lock one cell, and a process killed at any instant leaves every entry whole.
/// </summary>
/// <remarks>
/// Layout and probing: <see cref="SeqMapLayout"/>. Keys compare and hash by their bytes (XXH3 seeded per
/// map), so <typeparamref name="TKey"/> must have no padding. The table never grows: a map created for
/// <c>capacity</c> entries has enough cells to keep the load at or below <see cref="ShmOptions.MaxLoad"/>
/// and accepts new keys until every cell is used, then throws <see cref="MapFullException"/> (and stays usable).
/// </remarks>
/// <typeparam name="TKey">The key type; unmanaged, without padding.</typeparam>
/// <typeparam name="TValue">The value type; unmanaged.</typeparam>
public sealed unsafe partial class SeqMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>, IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly SeqCells _cells;
    private readonly long _mask;
    private readonly ulong _seed;
    private readonly ulong _prepared8;
    private readonly byte* _cellBase;
    private readonly ulong* _stripes;
    private readonly int _stripeShift;
    private volatile bool _disposed;

    private SeqMap(MapRegion region)
    {
        _region = region;
        // The header's key and value sizes are these types' (checked at open), so the layout's cells are this map's.
        SeqMapLayout layout = SeqMapLayout.Open(region);
        _cells = layout.Cells;
        _stripes = layout.Stripes;
        _stripeShift = layout.StripeShift;
        _mask = _cells.Count - 1;
        _seed = region.HashSeed;
        _prepared8 = XxHash3.Prepare8(_seed);
        _cellBase = _cells.Cell(0);
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of entries the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>The number of cells (entries fit until every cell is used).</summary>
    public long CellCount => _cells.Count;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        ThrowIfDisposed();
        long home = Home(key);
        // Most keys sit in their home cell: one seqlock read, no loop, before the general probe.
        byte* cell = Cell(home);
        ulong word = SharedMemory.ReadAcquire((ulong*)cell);
        uint state = SeqCells.State(cell);
        TKey cellKey = SeqCells.Key<TKey>(cell);
        value = ValueAt(cell);
        if (SeqCells.Validate(cell, word) && !LockWord.IsLocked(word) && state == SeqCellLayout.Occupied && KeyBytes<TKey>.Equal(cellKey, key))
        {
            return true;
        }
        return Find(home, key, out _, out _, out value);
    }

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose()
    {
        _disposed = true;
        _region.Dispose();
    }

    /// <summary>The map's own flag: one load from this object on every operation, no hop to the region.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    /// <summary>The cell holding <paramref name="key"/>, or null.</summary>
    internal byte* CellOf(TKey key) => Find(Home(key), key, out byte* cell, out _, out _) ? cell : null;

    /// <summary>The home cell of <paramref name="key"/>.</summary>
    internal long HomeOf(TKey key) => Home(key);

    /// <summary>The insert stripe lock word of home cell <paramref name="home"/>.</summary>
    internal ulong* StripeOf(long home) => _stripes + (home >> _stripeShift);

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
    private byte* Cell(long index) => _cellBase + (index * CellStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TValue ValueAt(byte* cell) => Unsafe.ReadUnaligned<TValue>(cell + ValueOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Home(in TKey key) => (long)(KeyBytes<TKey>.Hash(key, _seed, _prepared8) & (ulong)_mask);

    /// <summary>
    /// Finds <paramref name="key"/> among the cells of home <paramref name="home"/>'s probe range; on success
    /// gives the cell and the unlocked word under which it held the key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Find(long home, in TKey key, out byte* found, out ulong foundWord, out TValue value)
    {
        byte* homeCell = Cell(home);
        uint limit = ProbeLimit(homeCell);
        byte* cell = homeCell;
        for (uint distance = 0; ; )
        {
            ulong word = ReadCell(cell, out uint state, out TKey cellKey, out value);
            if (state == SeqCellLayout.Occupied && KeyBytes<TKey>.Equal(cellKey, key))
            {
                found = cell;
                foundWord = word;
                return true;
            }
            if (++distance > limit)
            {
                break;
            }
            cell = Cell((home + distance) & _mask);
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
    private uint ProbeLimit(byte* homeCell) =>
        Math.Min(SharedMemory.ReadAcquire((uint*)(homeCell + SeqCellLayout.ProbeLimitOffset)), (uint)_mask);

    /// <summary>Copies a cell's state, key and value whole (waiting for a writer); returns the word they were read under.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadCell(byte* cell, out uint state, out TKey key, out TValue value)
    {
        while (true)
        {
            ulong word = _cells.ReadWord(cell);
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
        return SeqMapLayout.Spec(capacity, options?.MaxLoad, SeqCellLayout.For<TKey, TValue>(hasKey: true), TypeLayout.NameOf<TKey>(), TypeLayout.NameOf<TValue>());
    }
}
