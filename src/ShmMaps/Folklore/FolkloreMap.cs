using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;
using ShmMaps.Folklore;
using ShmMaps.Keys;
using ShmMaps.Tables;

namespace ShmMaps;

/// <summary>
/// The "folklore" hash table of Maier et al. in a shared file: every entry is one word holding a key's slot
/// and the value, so every insert, update and removal is one CAS and every lookup is wait-free. Keys are
/// strings (stored as UTF-8 in an append-only key store in the same file).
/// </summary>
/// <remarks>
/// <typeparamref name="TValue"/> of 2 bytes selects 32-bit entries (at most 32,767 keys), of 4 bytes 64-bit
/// entries (at most 2^31 - 1 keys). The table never grows. Removing a key keeps its cell and its bytes (a
/// flag in the entry), so lookups stay as short after churn as before it and adding the key again reuses
/// both; a new key takes a key slot for good, and the map is full (<see cref="MapFullException"/>) when the
/// key slots or key bytes run out. Layout: <see cref="FolkloreLayout"/>.
/// </remarks>
/// <typeparam name="TValue">The value type: unmanaged, of 2 or 4 bytes.</typeparam>
public sealed unsafe partial class FolkloreMap<TValue> : IEnumerable<KeyValuePair<string, TValue>>, IDisposable
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly KeyStore _keys;
    private readonly FolkloreTable _table;
    private readonly byte* _entries;
    private readonly long _mask;
    private readonly ulong _seed;
    private readonly int _maxKeyBytes;
    private readonly ulong _keyIndexMask;
    private readonly ulong _tagMask;
    private readonly ulong _copiedBit;
    private readonly KeySlot* _cellSlots;
    private volatile bool _disposed;

    private FolkloreMap(MapRegion region)
    {
        _region = region;
        _table = FolkloreTable.Open(region);
        long maxKeyBytes = region.KindParameter(FolkloreLayout.MaxKeyBytesParameter);
        // Every map is made with the same longest key: another value is damage (and would turn keys away as too long).
        if (_table.EntryBytes != EntryBytes || maxKeyBytes != FolkloreLayout.MaxKeyBytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': entries of {_table.EntryBytes} bytes (not {EntryBytes}) or longest key {maxKeyBytes} is invalid");
        }
        _entries = _table.Entries;
        _keys = _table.Keys;
        _mask = _table.Mask;
        _seed = region.HashSeed;
        _maxKeyBytes = (int)maxKeyBytes;
        _keyIndexMask = _table.KeyIndexMask;
        _tagMask = _table.TagMask;
        _copiedBit = _table.CopiedBit;
        _cellSlots = _keys.HasCellSlots ? _keys.CellSlot(0) : null;
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of keys the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>The number of cells.</summary>
    public long CellCount => _mask + 1;

    /// <summary>The number of key slots: every key ever added takes one (a little more than <see cref="Capacity"/>).</summary>
    public long KeySlotCount => _keys.SlotCount;

    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public int MaxKeyBytes => _maxKeyBytes;

    /// <summary>The number of keys present: a scan of every cell, exact however writers died.</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return _table.CountPresent();
        }
    }

    /// <summary>Creates a new map for <paramref name="capacity"/> keys; <see cref="MapExistsException"/> if the name exists.</summary>
    public static FolkloreMap<TValue> Create(string name, long capacity, ShmOptions? options = null) =>
        Create(name, capacity, keyStoreBytes: 0, options);

    /// <summary>
    /// Creates a new map for <paramref name="capacity"/> keys with <paramref name="keyStoreBytes"/> bytes for
    /// their UTF-8 text (0: 64 per key slot; the file is sparse, so only what keys use costs memory).
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
        _disposed = true;
        _region.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryGetValue<TMatch>(scoped in TMatch key, ulong hash, out TValue value)
        where TMatch : IKeyMatch, allows ref struct
    {
        if (Probe(key, hash, out ulong entry) < 0)
        {
            value = default;
            return false;
        }
        value = ValueOf(entry);
        return !FolkloreEntry.IsRemoved(entry, ValueBits);
    }

    /// <summary>
    /// The cell holding <paramref name="key"/> (hash <paramref name="hash"/>) and its entry; else the complement
    /// of the first empty cell of its probe (where it would be added), or <see cref="long.MinValue"/> if every
    /// cell is taken. Wait-free: at most every cell is read once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Probe<TMatch>(scoped in TMatch key, ulong hash, out ulong entry)
        where TMatch : IKeyMatch, allows ref struct
    {
        ThrowIfDisposed();
        long cell = (long)(hash & (ulong)_mask);
        if (Sse.IsSupported && _cellSlots != null)
        {
            // Most keys sit in their home cell with their slot copied beside it: start reading that slot now, so
            // that it arrives with the entry instead of after it.
            Sse.Prefetch0(_cellSlots + cell);
        }
        ulong tag = FolkloreEntry.Tag(hash, ValueBits, _tagMask);
        for (long probed = 0; probed <= _mask; probed++, cell = (cell + 1) & _mask)
        {
            entry = ReadEntry(cell);
            if (entry == 0)
            {
                return ~cell;
            }
            if ((entry & _tagMask) == tag && key.Matches(_keys, SlotNamedBy(entry, cell), hash))
            {
                return cell;
            }
        }
        entry = 0;
        return long.MinValue;
    }

    /// <summary>The key slot a lookup reads for <paramref name="entry"/> of <paramref name="cell"/>: the copy beside the cell if the entry says it is whole, else the slot it names (null if none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private KeySlot* SlotNamedBy(ulong entry, long cell) => (entry & _copiedBit) != 0
        ? _cellSlots + cell
        : _keys.SlotOrNull(FolkloreEntry.KeyIndex(entry, ValueBits, _keyIndexMask));

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    /// <summary>The key store (for white-box tests).</summary>
    internal KeyStore Keys => _keys;

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
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>The entry of <paramref name="cell"/> (acquire: the key slot it names is read after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadEntry(long cell) => Unsafe.SizeOf<TValue>() == 2
        ? SharedMemory.ReadAcquire((uint*)_entries + cell)
        : SharedMemory.ReadAcquire((ulong*)_entries + cell);

    /// <summary>CASes <paramref name="cell"/> from <paramref name="expected"/> to <paramref name="entry"/> (a full fence); returns what it found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong CompareExchangeEntry(long cell, ulong entry, ulong expected) => Unsafe.SizeOf<TValue>() == 2
        ? SharedMemory.CompareExchange((uint*)_entries + cell, (uint)entry, (uint)expected)
        : SharedMemory.CompareExchange((ulong*)_entries + cell, entry, expected);

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

    private static RegionSpec Spec(long capacity, long keyStoreBytes, ShmOptions? options)
    {
        int valueSize = Unsafe.SizeOf<TValue>();
        if (valueSize is not (2 or 4))
        {
            throw new ArgumentException($"a FolkloreMap value must be 2 or 4 bytes (32- or 64-bit entries); {typeof(TValue).Name} is {valueSize}", nameof(TValue));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(keyStoreBytes);
        long maxKeys = FolkloreLayout.MaxKeys(EntryBytes);
        if (capacity > maxKeys)
        {
            throw new ArgumentException($"a FolkloreMap of {valueSize}-byte values names keys with {FolkloreEntry.KeyFieldBits(ValueBits)} bits: at most {maxKeys} keys, not {capacity}", nameof(capacity));
        }
        long slots = FolkloreLayout.SlotsFor(capacity, EntryBytes);
        int keyBits = FolkloreEntry.KeyBitsFor(slots);
        int spareBits = FolkloreEntry.KeyFieldBits(ValueBits) - keyBits;
        double? maxLoad = options?.MaxLoad ?? (spareBits >= FolkloreLayout.DenseTagBits ? FolkloreLayout.DenseMaxLoad : null);
        long cells = TableSizing.CellsFor(slots + 1, maxLoad, EntryBytes, FolkloreLayout.MaxCells, "FolkloreMap");
        // Cell slots need the copied bit besides a tag of DenseTagBits, and cost a slot per cell: up to a cache-sized table.
        bool cellSlots = spareBits >= FolkloreLayout.DenseTagBits + 1 && cells * KeySlot.Size <= ShmOptions.CacheSizedTableBytes;
        long keyBytes = keyStoreBytes > 0
            ? (keyStoreBytes + KeyStore.Alignment - 1) / KeyStore.Alignment * KeyStore.Alignment
            : Math.Min(checked(slots * FolkloreLayout.DefaultKeyBytesPerSlot) + FolkloreLayout.MaxKeyBytes, FolkloreLayout.MaxKeyByteRegion);
        if (keyBytes > FolkloreLayout.MaxKeyByteRegion)
        {
            throw new ArgumentOutOfRangeException(nameof(keyStoreBytes), keyStoreBytes, $"a FolkloreMap's key store holds at most {FolkloreLayout.MaxKeyByteRegion} bytes");
        }
        return new RegionSpec
        {
            Kind = MapKind.FolkloreMap,
            KeySize = 0,
            ValueSize = valueSize,
            KeyTypeName = typeof(string).FullName!,
            ValueTypeName = TypeLayout.NameOf<TValue>(),
            Capacity = capacity,
            KindParameters = [cells, EntryBytes, slots, keyBytes, FolkloreLayout.MaxKeyBytes, keyBits, cellSlots ? 1 : 0],
            RegionLengths = cellSlots
                ? [checked(cells * EntryBytes), checked(slots * KeySlot.Size), keyBytes, checked(cells * KeySlot.Size)]
                : [checked(cells * EntryBytes), checked(slots * KeySlot.Size), keyBytes],
            // The key bytes grow with the long keys added (most keys fit their slot); every other region is used at once.
            ReservedAtCreate = cellSlots
                ? [checked(cells * EntryBytes), checked(slots * KeySlot.Size), KeyStore.KeyBytesReservedAtCreate(keyBytes), checked(cells * KeySlot.Size)]
                : [checked(cells * EntryBytes), checked(slots * KeySlot.Size), KeyStore.KeyBytesReservedAtCreate(keyBytes)],
        };
    }
}
