using System.Runtime.Intrinsics.X86;
using ShmMaps.Folklore;

namespace ShmMaps;

/// <summary>
/// The "folklore" hash table of Maier et al. in a shared file: every entry is one word holding a key's slot
/// and the value, so every insert, update and removal is one CAS and every lookup is wait-free. Keys are
/// strings (stored as UTF-8 in an append-only key store in the same file).
/// </summary>
/// <remarks>
/// <typeparamref name="TValue"/> of 2 bytes selects 32-bit entries (at most 32,767 keys), of 4 bytes 64-bit
/// entries (at most 2^31 - 1 keys). Removing a key keeps its cell and its bytes (a flag in the entry), so lookups
/// stay as short after churn as before it and adding the key again reuses both; a new key takes a key slot for
/// good. When the table's key slots are used, an add starts a table twice as large (with twice the slots), and the
/// writers of every process copy the old one into it a block at a time while lookups read both (the growth protocol
/// is in FolkloreMap.Growth.cs), up to <see cref="ShmOptions.MaxCapacity"/> or 2^30 - 1 keys (16,383 of 2-byte
/// values); then <see cref="MapFullException"/>. A key longer than 40 bytes takes a slot per 64 of its bytes. A map created for more keys than
/// that, or with MaxCapacity equal to its capacity, keeps its one table. Layout: <see cref="FolkloreLayout"/>.
/// </remarks>
/// <typeparam name="TValue">The value type: unmanaged, of 2 or 4 bytes.</typeparam>
public sealed unsafe partial class FolkloreMap<TValue> : IShmMapOpener<FolkloreMap<TValue>, string, TValue>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly FolkloreLayout _layout;
    private readonly KeyStore _keys;
    private readonly TableDirectory _directory;
    private readonly TableRetirement _retirement;
    private readonly Migration _migration;
    private readonly ulong _seed;
    private readonly int _maxKeyBytes;
    private ViewCache<FolkloreView> _views;

    private FolkloreMap(MapRegion region)
    {
        _region = region;
        _layout = FolkloreLayout.Open(region);
        long maxKeyBytes = _layout.StoredMaxKeyBytes;
        // Every map is made with the same longest key: another value is damage (and would turn keys away as too long).
        if (_layout.EntryBytes != EntryBytes || maxKeyBytes != FolkloreLayout.MaxKeyBytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': entries of {_layout.EntryBytes} bytes (not {EntryBytes}) or longest key {maxKeyBytes} is invalid");
        }
        _keys = _layout.Keys;
        _directory = _layout.Directory;
        _seed = region.HashSeed;
        _maxKeyBytes = (int)maxKeyBytes;
        ulong state = _directory.ReadState();
        _layout.EnsureReserved(state);
        _retirement = new TableRetirement(region, _directory, _layout.GivenBack);
        _views = new ViewCache<FolkloreView>(_directory, state, _layout.View, static last => FolkloreView.Closed(last.Newest), _retirement, region.Name);
        _migration = new Migration(this);
        _retirement.OnOpen(state); // and tables no handle reads any more while no writer came by
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of keys the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>The number of cells of the table writes go to now (it doubles at each growth).</summary>
    public long CellCount => View().Newest.Cells;

    /// <summary>
    /// The number of key slots the table writes go to now may name: every key ever added takes one (a little more
    /// than <see cref="Capacity"/> at first; the map grows when they are used).
    /// </summary>
    public long KeySlotCount => View().Newest.SlotLimit;

    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public int MaxKeyBytes => _maxKeyBytes;

    /// <summary>The number of keys present: a scan of every cell (of both tables during a migration), exact however writers died.</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return CountPresent(View());
        }
    }

    /// <summary>Creates a new map for <paramref name="capacity"/> keys; <see cref="MapExistsException"/> if the name exists.</summary>
    public static FolkloreMap<TValue> Create(string name, long capacity, ShmOptions? options = null) =>
        Create(name, capacity, keyStoreBytes: 0, options);

    /// <summary>
    /// Creates a new map for <paramref name="capacity"/> keys with room in its first table for
    /// <paramref name="keyStoreBytes"/> bytes of text of keys longer than 40 bytes (such a key takes a 64-byte key slot
    /// per 64 of its bytes; 0: room for <paramref name="capacity"/> short keys, the map growing as longer ones come).
    /// </summary>
    public static FolkloreMap<TValue> Create(string name, long capacity, long keyStoreBytes, ShmOptions? options = null) =>
        MapRegion.Create(name, Spec(capacity, keyStoreBytes, options), options).Adopt(static region => new FolkloreMap<TValue>(region));

    /// <summary>Opens an existing map; <see cref="LayoutMismatchException"/> if its kind or value type differ.</summary>
    public static FolkloreMap<TValue> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, Spec(0, 0, options), options).Adopt(static region => new FolkloreMap<TValue>(region));

    /// <summary>Opens the map, creating it for <paramref name="capacity"/> keys if it does not exist.</summary>
    public static FolkloreMap<TValue> OpenOrCreate(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, Spec(capacity, 0, options), options).Adopt(static region => new FolkloreMap<TValue>(region));

    /// <summary>Deletes the map's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent; set is <see cref="Insert(string, TValue)"/>.</summary>
    public TValue this[string key]
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
    public TValue? Get(string key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>True if the map holds <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>True if the map holds UTF-8 <paramref name="utf8Key"/>.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> utf8Key) => TryGetValue(utf8Key, out _);

    /// <summary>Looks <paramref name="key"/> up: wait-free, no lock, no allocation for keys of up to 85 chars.</summary>
    public bool TryGetValue(string key, out TValue value)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey ascii))
        {
            return TryGetValue(ascii, ascii.Hash(_seed), out value);
        }
        value = default;
        return RunOnUtf8(key, StringKeyOperation.Lookup, ref value);
    }

    /// <summary>Looks UTF-8 <paramref name="utf8Key"/> up: wait-free, no lock, no allocation.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> utf8Key, out TValue value) =>
        RegisterKey.TryLoad(utf8Key, out RegisterKey key)
            ? TryGetValue(key, key.Hash(_seed), out value)
            : TryGetValue(new Utf8KeyMatch(utf8Key), XxHash3.Hash(utf8Key, _seed), out value);

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose()
    {
        _views.Close();
        _region.Dispose();
    }

    /// <remarks>
    /// A lookup reads the state word first and uses the tables it names. A table is given back only after the state
    /// has moved past it, and bytes given back read as zero: never a key. So a key found is the map's (its value current
    /// at some instant of the lookup: an entry a migration froze never changes); a key not found is believed only if
    /// the state word is unchanged after the search.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryGetValue<TMatch>(scoped in TMatch key, ulong hash, out TValue value)
        where TMatch : IKeyMatch, allows ref struct
    {
        ThrowIfDisposed();
        ulong state = _directory.ReadState();
        FolkloreView view = _views.Cached;
        if (view.SteadyState == state)
        {
            if (Probe(view.Newest, key, hash, out ulong entry) >= 0)
            {
                value = ValueOf(entry);
                return !FolkloreEntry.IsRemoved(entry, ValueBits);
            }
            if (_directory.ReadState() == state)
            {
                value = default;
                return false;
            }
        }
        return TryGetSlow(key, hash, out value);
    }

    /// <summary>A lookup during a migration, or after the state changed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetSlow<TMatch>(scoped in TMatch key, ulong hash, out TValue value)
        where TMatch : IKeyMatch, allows ref struct
    {
        while (true)
        {
            FolkloreView view = View();
            ulong entry;
            long cell = view.Older is null ? Probe(view.Newest, key, hash, out entry) : ProbeMigrating(view, key, hash, out entry);
            if (cell >= 0)
            {
                value = ValueOf(entry);
                return !FolkloreEntry.IsRemoved(entry, ValueBits);
            }
            if (_directory.ReadState() == view.State)
            {
                value = default;
                return false;
            }
        }
    }

    /// <summary>
    /// The cell of <paramref name="table"/> holding <paramref name="key"/> (hash <paramref name="hash"/>) and its entry;
    /// else the complement of the first empty cell of its probe (where it would be added; its entry, 0 or frozen empty,
    /// in <paramref name="entry"/>), or <see cref="long.MinValue"/> if every cell is taken. Wait-free: at most every cell
    /// is read once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Probe<TMatch>(FolkloreTable table, scoped in TMatch key, ulong hash, out ulong entry)
        where TMatch : IKeyMatch, allows ref struct
    {
        // The table's fields in locals: the loop reads none of them from the table object again.
        long mask = table.Mask;
        long cell = (long)(hash & (ulong)mask);
        KeySlot* cellSlots = table.CellSlots;
        if (Sse.IsSupported && cellSlots != null)
        {
            // Most keys sit in their home cell with their slot copied beside it: start reading that slot now, so
            // that it arrives with the entry instead of after it.
            Sse.Prefetch0(cellSlots + cell);
        }
        byte* entries = table.Entries;
        ulong tagMask = table.TagMask;
        ulong tag = FolkloreEntry.Tag(hash, ValueBits, tagMask);
        ulong notFrozen = ~table.FrozenBit;
        ulong copied = table.CopiedBit;
        ulong keyIndexMask = table.KeyIndexMask;
        long slotLimit = table.SlotLimit;
        for (long probed = 0; probed <= mask; probed++, cell = (cell + 1) & mask)
        {
            entry = Unsafe.SizeOf<TValue>() == 2 ? SharedMemory.ReadAcquire((uint*)entries + cell) : SharedMemory.ReadAcquire((ulong*)entries + cell);
            if ((entry & notFrozen) == 0)
            {
                return ~cell;
            }
            if ((entry & tagMask) == tag)
            {
                KeySlot* slot = (entry & copied) != 0
                    ? cellSlots + cell
                    : _keys.SlotOrNull(FolkloreEntry.KeyIndex(entry, ValueBits, keyIndexMask), slotLimit);
                if (key.Matches(_keys, slot, hash))
                {
                    return cell;
                }
            }
        }
        entry = 0;
        return long.MinValue;
    }

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    private static int EntryBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.SizeOf<TValue>() * 2;
    }

    private static int ValueBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.SizeOf<TValue>() * 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_views.IsClosed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>The entry of <paramref name="cell"/> of <paramref name="table"/> (acquire: the key slot it names is read after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadEntry(FolkloreTable table, long cell) => Unsafe.SizeOf<TValue>() == 2
        ? SharedMemory.ReadAcquire((uint*)table.Entries + cell)
        : SharedMemory.ReadAcquire((ulong*)table.Entries + cell);

    /// <summary>
    /// CASes <paramref name="cell"/> of <paramref name="table"/> from <paramref name="expected"/> to <paramref name="entry"/>
    /// (a full fence); returns what it found.
    /// </summary>
    /// <remarks>
    /// A table this handle no longer reads (the map grew past it) turns to zero pages of this process's own, in which a
    /// CAS from 0 (an add) succeeds without reaching the map. Such an add is told apart by reading the cell back: an
    /// add that reached the file came before the migration froze the cell, so the cell there holds it frozen since,
    /// or has turned to zeros; only one that landed in the process's own page holds exactly the entry it wrote. That
    /// one returns the frozen empty entry, as a CAS that met the freeze would, so that the add goes to the newest table.
    /// A CAS from any other entry cannot succeed on a zero page.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong CompareExchangeEntry(FolkloreTable table, long cell, ulong entry, ulong expected)
    {
        ulong found = Unsafe.SizeOf<TValue>() == 2
            ? SharedMemory.CompareExchange((uint*)table.Entries + cell, (uint)entry, (uint)expected)
            : SharedMemory.CompareExchange((ulong*)table.Entries + cell, entry, expected);
        return found != 0 || expected != 0 || !IsAbandoned(table) || ReadEntry(table, cell) != entry ? found : table.FrozenBit;
    }

    /// <summary>Whether this handle has stopped reading <paramref name="table"/> (its pages read as zeros here, or are about to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsAbandoned(FolkloreTable table) => table.Generation < _retirement.ReadsFrom;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TValue ValueOf(ulong entry)
    {
        if (Unsafe.SizeOf<TValue>() == 2)
        {
            ushort bits = (ushort)entry;
            return Unsafe.As<ushort, TValue>(ref bits);
        }
        uint wide = (uint)entry;
        return Unsafe.As<uint, TValue>(ref wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitsOf(TValue value) => Unsafe.SizeOf<TValue>() == 2
        ? Unsafe.As<TValue, ushort>(ref value)
        : Unsafe.As<TValue, uint>(ref value);

    private static RegionSpec Spec(long capacity, long keyStoreBytes, ShmOptions? options) =>
        FolkloreLayout.Spec(capacity, keyStoreBytes, options?.MaxLoad, options?.MaxCapacity, Unsafe.SizeOf<TValue>(), TypeLayout.NameOf<TValue>());
}
