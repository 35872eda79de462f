using System.Numerics;
using ShmMaps.Core.Region;
using ShmMaps.Tables;

namespace ShmMaps.Folklore;

/// <summary>
/// Where a <see cref="FolkloreMap{TValue}"/>'s bytes are: sizing at create, and the file's layout checked at open (one
/// descriptor for the map and the inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cells of table 0 (a power of two) [1] entry bytes (4 or 8) [2] key slots: the most
///          the file has room for [3] key byte region length [4] longest key in bytes [5] key bits of table 0: how
///          many bits of an entry's key field name the key slot, the rest holding a tag of the key's hash (0: all,
///          no tag) [6] 1 if the table has cell slots (a key slot per cell, and entries with a copied bit)
///          [7] tables the file has room for (0: a map that never grows, one table, no directory)
///          in a map that grows, [5] is the key slots of table 0 (each table's key bits are just enough for its
///          slot limit) and [6] how many tables, from table 0, have cell slots
///          counter 0: the key store's allocation word, see <see cref="KeyStore"/>
/// region 0 lanes (claimed only to name the writer of a key slot)
/// region 1 entry tables: table g (cells of table 0 &lt;&lt; g) right after table g-1, each its moved flags (one u64
///          per block of home cells, in whole cache lines; none in a map that never grows) then its entries
///          (cells x entry bytes, see <see cref="FolkloreEntry"/>; 0 is an empty cell); reserved a table at a time
/// region 2 key slots: key slot count x 64 bytes, see <see cref="KeySlot"/> (keys of up to 40 bytes live there);
///          table g may name slots below its slot limit (key slots of table 0 &lt;&lt; g), reserved with it
/// region 3 key bytes: the UTF-8 bytes of longer keys, each at an 8-byte aligned offset, append only
/// region 4 cell slots: each table that has them, cells x 64 bytes, a copy of the key slot of the key in each
///          cell, written by the writer whose CAS filled the cell before it sets the entry's copied bit
/// region 5 directory, see <see cref="TableDirectory"/> (a map that grows)
/// </code>
/// Open addressing with linear probing. A cell goes from empty to a key once and keeps that key for
/// good (removal sets a flag in the entry), so a lookup stops at the first empty cell and two
/// processes adding the same key meet at the same empty cell: one CAS wins, the other finds the key.
/// A probe reads the key slot only of entries whose tag is the key's, so the table can be dense. With cell
/// slots a lookup starts reading the home cell's slot while it reads the entry, so for most keys the two memory
/// reads overlap instead of following each other; a key whose copy was never finished (its writer died first)
/// is read from its key slot.
/// </remarks>
internal sealed unsafe class FolkloreLayout
{
    public const int EntryRegion = 1;
    public const int SlotRegion = 2;
    public const int KeyByteRegion = 3;
    public const int CellSlotRegion = 4;
    public const int DirectoryRegion = 5;
    public const int CellCountParameter = 0;
    public const int EntryBytesParameter = 1;
    public const int SlotCountParameter = 2;
    public const int KeyBytesParameter = 3;
    public const int MaxKeyBytesParameter = 4;
    public const int KeyBitsParameter = 5;
    public const int CellSlotsParameter = 6;
    public const int TablesParameter = 7;
    public const int FirstSlotsParameter = 5;
    public const int CellSlotTablesParameter = 6;
    public const int AllocationCounter = 0;

    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 4096;

    /// <summary>The key bytes reserved per key slot when the creator does not say (the file is sparse).</summary>
    public const int DefaultKeyBytesPerSlot = 64;

    /// <summary>The key byte region is addressed in 8-byte units by a 32-bit count: at most 32 GiB.</summary>
    public const long MaxKeyByteRegion = (1L << 32) * KeyStore.Alignment;

    /// <summary>The largest number of cells of one table.</summary>
    public const long MaxCells = 1L << 34;

    /// <summary>The fewest tag bits with which the table defaults to <see cref="DenseMaxLoad"/> and has cell slots.</summary>
    public const int DenseTagBits = 8;

    /// <summary>
    /// The load the table is sized for when the creator does not say and entries hold tags of at least
    /// <see cref="DenseTagBits"/> bits: a displaced key costs an entry read, not a key slot read, and a denser table
    /// keeps more of the entries in cache (lookups at 10 K keys about 7% faster than at 0.2 or 0.3 in three A/B runs
    /// within one process).
    /// </summary>
    public const double DenseMaxLoad = 0.5;

    /// <summary>The most home cells of a block a migration moves at once (one moved flag each).</summary>
    public const int MaxBlockShift = 9;

    private readonly MapRegion _region;

    private FolkloreLayout(MapRegion region, long firstCells, int entryBytes, long firstSlots, long slotCount, int tables, int cellSlotTables, KeyStore keys)
    {
        _region = region;
        FirstCells = firstCells;
        EntryBytes = entryBytes;
        FirstSlots = firstSlots;
        SlotCount = slotCount;
        Tables = tables;
        CellSlotTables = cellSlotTables;
        Keys = keys;
        Grows = region.KindParameter(TablesParameter) != 0;
        Directory = Grows ? new TableDirectory(region.RegionPointer(DirectoryRegion, out _)) : TableDirectory.Unchanging;
    }

    /// <summary>The cells of table 0.</summary>
    public long FirstCells { get; }

    public int EntryBytes { get; }

    public int ValueBits => EntryBytes * 4;

    /// <summary>The key slots of table 0: each next table's limit is twice its predecessor's.</summary>
    public long FirstSlots { get; }

    /// <summary>The most key slots: the slot limit of the last table.</summary>
    public long SlotCount { get; }

    /// <summary>How many tables the file has room for: the map grows at most <c>Tables - 1</c> times.</summary>
    public int Tables { get; }

    /// <summary>Tables 0 to this one, not included, have cell slots.</summary>
    public int CellSlotTables { get; }

    /// <summary>False for a map that never grows (its entries have no frozen bit).</summary>
    public bool Grows { get; }

    public KeyStore Keys { get; }

    public TableDirectory Directory { get; }

    /// <summary>The most keys an entry of <paramref name="entryBytes"/> can name in a map that never grows: its key field less the removed flag, less the empty value 0.</summary>
    public static long MaxKeys(int entryBytes) => (1L << FolkloreEntry.KeyFieldBits(entryBytes * 4)) - 1;

    /// <summary>The most keys a map that grows can name: one bit of the key field is its frozen flag.</summary>
    public static long MaxGrowingKeys(int entryBytes) => (1L << (FolkloreEntry.KeyFieldBits(entryBytes * 4) - 1)) - 1;

    /// <summary>
    /// Key slots for <paramref name="capacity"/> keys: an eighth more (at least 16) for keys whose adding lost
    /// a race or whose writer died, within what the entry can name.
    /// </summary>
    public static long SlotsFor(long capacity, long maxKeys) => Math.Min(capacity + Math.Max(capacity / 8, 16), maxKeys);

    /// <summary>The moved flags of a table of <paramref name="cells"/> cells (a map that grows): the shift from a home cell to its block.</summary>
    public static int BlockShift(long cells) => Math.Min(BitOperations.Log2((ulong)cells), MaxBlockShift);

    /// <summary>The bytes before a table's entries: its moved flags, in whole cache lines (none in a map that never grows).</summary>
    public static long TableHead(long cells, bool grows) => grows ? (((cells >> BlockShift(cells)) * sizeof(ulong)) + 63) & ~63L : 0;

    /// <summary>The file a map of <paramref name="capacity"/> keys at first, and at most <paramref name="maxCapacity"/> (null: as memory allows), needs.</summary>
    public static RegionSpec Spec(long capacity, long keyStoreBytes, double? maxLoad, long? maxCapacity, int valueSize, string valueTypeName)
    {
        if (valueSize is not (2 or 4))
        {
            throw new ArgumentException($"a FolkloreMap value must be 2 or 4 bytes (32- or 64-bit entries); it is {valueSize}", "TValue");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(keyStoreBytes);
        int entryBytes = valueSize * 2;
        int fieldBits = FolkloreEntry.KeyFieldBits(entryBytes * 4);
        long maxKeys = MaxKeys(entryBytes);
        if (capacity > maxKeys)
        {
            throw new ArgumentException($"a FolkloreMap of {valueSize}-byte values names keys with {fieldBits} bits: at most {maxKeys} keys, not {capacity}", nameof(capacity));
        }
        if (maxCapacity is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, capacity, nameof(ShmOptions.MaxCapacity));
        }
        // A map whose keys need every bit of the key field (or whose cap says it stays as created) has no frozen bit: it never grows.
        long growingKeys = MaxGrowingKeys(entryBytes);
        long firstSlots = SlotsFor(capacity, growingKeys);
        bool grows = SlotsFor(capacity, maxKeys) <= growingKeys && maxCapacity != capacity;
        firstSlots = grows ? firstSlots : SlotsFor(capacity, maxKeys);
        if (grows && maxCapacity > growingKeys)
        {
            throw new ArgumentOutOfRangeException(nameof(ShmOptions.MaxCapacity), maxCapacity,
                $"a FolkloreMap of {valueSize}-byte values that grows names at most {growingKeys} keys (one bit of each entry marks a migration); " +
                $"for up to {maxKeys} keys create it with MaxCapacity equal to its capacity (it then keeps one table)");
        }
        int keyBits = FolkloreEntry.KeyBitsFor(firstSlots);
        int spareBits = fieldBits - keyBits - (grows ? 1 : 0);
        double? load = maxLoad ?? (spareBits >= DenseTagBits ? DenseMaxLoad : null);
        long cells = TableSizing.CellsFor(firstSlots + 1, load, entryBytes, MaxCells, "FolkloreMap");
        int tables = 1;
        long lastSlots = maxCapacity is { } most ? SlotsFor(most, growingKeys) : growingKeys;
        while (grows && (firstSlots << (tables - 1)) < lastSlots && (cells << tables) <= MaxCells)
        {
            tables++;
        }
        long slots = grows ? Math.Min(firstSlots << (tables - 1), lastSlots) : firstSlots;
        // Cell slots need the copied bit besides a tag of DenseTagBits, and cost a slot per cell: up to a cache-sized table.
        int cellSlotTables = 0;
        while (cellSlotTables < tables && HasCellSlots(cells << cellSlotTables, SlotLimit(firstSlots, slots, cellSlotTables), entryBytes, grows))
        {
            cellSlotTables++;
        }
        long keyBytes = keyStoreBytes > 0
            ? (keyStoreBytes + KeyStore.Alignment - 1) / KeyStore.Alignment * KeyStore.Alignment
            : Math.Min(checked((slots * DefaultKeyBytesPerSlot) + MaxKeyBytes), MaxKeyByteRegion);
        if (keyBytes > MaxKeyByteRegion)
        {
            throw new ArgumentOutOfRangeException(nameof(keyStoreBytes), keyStoreBytes, $"a FolkloreMap's key store holds at most {MaxKeyByteRegion} bytes");
        }
        long entryRegion = EntryExtent(cells, entryBytes, grows, tables).Offset;
        long cellSlotRegion = CellSlotExtent(cells, cellSlotTables).Offset;
        long firstEntries = EntryExtent(cells, entryBytes, grows, 0).Length;
        long firstCellSlots = cellSlotTables > 0 ? cells * KeySlot.Size : 0;
        long[] kindParameters = grows
            ? [cells, entryBytes, slots, keyBytes, MaxKeyBytes, firstSlots, cellSlotTables, tables]
            : [cells, entryBytes, slots, keyBytes, MaxKeyBytes, keyBits, cellSlotTables > 0 ? 1 : 0, 0];
        return new RegionSpec
        {
            Kind = MapKind.FolkloreMap,
            KeySize = 0,
            ValueSize = valueSize,
            KeyTypeName = typeof(string).FullName!,
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = kindParameters,
            RegionLengths = grows
                ? [entryRegion, checked(slots * KeySlot.Size), keyBytes, Math.Max(cellSlotRegion, 64), TableDirectory.Size]
                : cellSlotTables > 0 ? [entryRegion, checked(slots * KeySlot.Size), keyBytes, cellSlotRegion] : [entryRegion, checked(slots * KeySlot.Size), keyBytes],
            // Table 0's entries, slots and cell slots are used at once; the key bytes grow with the long keys added
            // (most keys fit their slot), and each next table's part of every region is reserved as the map grows.
            ReservedAtCreate = grows
                ? [firstEntries, checked(firstSlots * KeySlot.Size), KeyStore.KeyBytesReservedAtCreate(keyBytes), firstCellSlots, TableDirectory.Size]
                : cellSlotTables > 0
                    ? [entryRegion, checked(slots * KeySlot.Size), KeyStore.KeyBytesReservedAtCreate(keyBytes), cellSlotRegion]
                    : [entryRegion, checked(slots * KeySlot.Size), KeyStore.KeyBytesReservedAtCreate(keyBytes)],
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a FolkloreMap file), every parameter checked against its regions.</summary>
    public static FolkloreLayout Open(MapRegion region)
    {
        long cells = region.KindParameter(CellCountParameter);
        long entryBytes = region.KindParameter(EntryBytesParameter);
        long tables = region.KindParameter(TablesParameter);
        bool grows = tables != 0;
        tables = grows ? tables : 1;
        long cellSlotTables = grows ? region.KindParameter(CellSlotTablesParameter) : region.KindParameter(CellSlotsParameter) != 0 ? 1 : 0;
        if (entryBytes is not (4 or 8) || cells < 4 || (cells & (cells - 1)) != 0 || cells > MaxCells
            || tables < 1 || tables > 40 || (cells << ((int)tables - 1)) > MaxCells || cellSlotTables < 0 || cellSlotTables > tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cell count {cells}, entry size {entryBytes}, {tables} tables or {cellSlotTables} tables with cell slots is invalid");
        }
        region.RegionPointer(EntryRegion, out long entryBytesInFile);
        long cellSlotBytes = 0;
        if (cellSlotTables > 0)
        {
            region.RegionPointer(CellSlotRegion, out cellSlotBytes);
        }
        long directoryBytes = TableDirectory.Size;
        if (grows)
        {
            region.RegionPointer(DirectoryRegion, out directoryBytes);
        }
        if (entryBytesInFile < EntryExtent(cells, (int)entryBytes, grows, (int)tables).Offset
            || cellSlotBytes < CellSlotExtent(cells, (int)cellSlotTables).Offset || directoryBytes < TableDirectory.Size)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the entry ({entryBytesInFile} bytes), cell slot ({cellSlotBytes} bytes) or directory region is too small for {tables} tables from {cells} cells");
        }
        var keys = new KeyStore(region);
        long maxKeys = grows ? MaxGrowingKeys((int)entryBytes) : MaxKeys((int)entryBytes);
        if (keys.SlotCount > maxKeys || keys.SlotCount >= cells << ((int)tables - 1))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {keys.SlotCount} key slots do not fit {cells} cells of {entryBytes}-byte entries in {tables} tables");
        }
        long firstSlots = grows ? region.KindParameter(FirstSlotsParameter) : keys.SlotCount;
        if (firstSlots < 1 || firstSlots > keys.SlotCount || firstSlots >= cells || Math.Min(keys.SlotCount, firstSlots << ((int)tables - 1)) != keys.SlotCount)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': table 0's {firstSlots} key slots do not double to the {keys.SlotCount} of {tables} tables");
        }
        var layout = new FolkloreLayout(region, cells, (int)entryBytes, firstSlots, keys.SlotCount, (int)tables, (int)cellSlotTables, keys);
        // Every table's key bits must name its slots and leave its flags their bits.
        for (int g = 0; g < layout.Tables; g++)
        {
            int keyBits = layout.KeyBits(g);
            int fieldBits = FolkloreEntry.KeyFieldBits(layout.ValueBits);
            if (keyBits < FolkloreEntry.KeyBitsFor(layout.SlotLimit(g)) || keyBits > fieldBits - (grows ? 1 : 0) - (g < cellSlotTables ? 1 : 0))
            {
                ThrowHelper.ThrowCorrupt($"map '{region.Name}': {keyBits} key bits cannot name the {layout.SlotLimit(g)} key slots of table {g} in {entryBytes}-byte entries");
            }
        }
        return layout;
    }

    /// <summary>The key slots table <paramref name="generation"/> may name: they are reserved with it.</summary>
    public long SlotLimit(int generation) => Grows ? SlotLimit(FirstSlots, SlotCount, generation) : SlotCount;

    /// <summary>
    /// The bits of table <paramref name="generation"/>'s entries that name a key slot: in a map that grows, just enough
    /// for its slot limit; else as the file says (0, a file made before entries held tags: the whole key field).
    /// </summary>
    public int KeyBits(int generation)
    {
        if (Grows)
        {
            return FolkloreEntry.KeyBitsFor(SlotLimit(generation));
        }
        long keyBits = _region.KindParameter(KeyBitsParameter);
        return keyBits == 0 ? FolkloreEntry.KeyFieldBits(ValueBits) : (int)Math.Clamp(keyBits, 0, 64);
    }

    /// <summary>Table <paramref name="generation"/> as this process maps it; <see cref="CorruptMapException"/> for one the file has no room for.</summary>
    public FolkloreTable Table(int generation)
    {
        if ((uint)generation >= (uint)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': its directory names table {generation}, but the file has room for {Tables}");
        }
        long cells = FirstCells << generation;
        (long offset, _) = EntryExtent(FirstCells, EntryBytes, Grows, generation);
        byte* start = _region.RegionPointer(EntryRegion, out _) + offset;
        long head = TableHead(cells, Grows);
        KeySlot* cellSlots = generation < CellSlotTables
            ? (KeySlot*)(_region.RegionPointer(CellSlotRegion, out _) + CellSlotExtent(FirstCells, generation).Offset)
            : null;
        int keyBits = KeyBits(generation);
        ulong frozen = Grows ? FolkloreEntry.FrozenBit(ValueBits) : 0;
        ulong copied = cellSlots == null ? 0 : Grows ? FolkloreEntry.GrowingCopiedBit(ValueBits) : FolkloreEntry.CopiedBit(ValueBits);
        return new FolkloreTable(generation, start + head, cells, EntryBytes, keyBits, FolkloreEntry.TagMask(ValueBits, keyBits, frozen | copied), copied, frozen,
            cellSlots, SlotLimit(generation), Grows ? (ulong*)start : null, BlockShift(cells), _region.HashSeed, Keys);
    }

    /// <summary>The tables state word <paramref name="state"/> names; <see cref="CorruptMapException"/> if it names none of this file's.</summary>
    public FolkloreView View(ulong state)
    {
        CheckState(state);
        int generation = TableDirectory.Generation(state);
        return new FolkloreView(state, Table(generation), TableDirectory.IsMigrating(state) ? Table(generation - 1) : null);
    }

    /// <summary>Checks that a state word read from the file names a state of this file: <see cref="CorruptMapException"/> if not.</summary>
    public void CheckState(ulong state) => TableDirectory.Check(state, Tables, _region.Name);

    /// <summary>Allocates table <paramref name="generation"/>'s memory: its entries, cell slots and key slots (idempotent); <see cref="MapFullException"/> if the file system is full.</summary>
    public void Reserve(int generation)
    {
        string what = $"table {generation} of the map ({FirstCells << generation:N0} cells)";
        (long offset, long length) = EntryExtent(FirstCells, EntryBytes, Grows, generation);
        _region.Reserve(EntryRegion, offset, length, what);
        if (generation < CellSlotTables)
        {
            (offset, length) = CellSlotExtent(FirstCells, generation);
            _region.Reserve(CellSlotRegion, offset, length, what);
        }
        long below = generation == 0 ? 0 : SlotLimit(generation - 1);
        _region.Reserve(SlotRegion, below * KeySlot.Size, (SlotLimit(generation) - below) * KeySlot.Size, $"the key slots of {what}");
    }

    /// <summary>An opener's check that the tables a state word names, and the key slots they may name, are allocated.</summary>
    public void EnsureReserved(ulong state)
    {
        CheckState(state);
        for (int g = TableDirectory.OldestLive(state); g <= TableDirectory.Generation(state); g++)
        {
            (long offset, long length) = EntryExtent(FirstCells, EntryBytes, Grows, g);
            _region.EnsureReserved(EntryRegion, offset, length, $"table {g} of the map");
            if (g < CellSlotTables)
            {
                (offset, length) = CellSlotExtent(FirstCells, g);
                _region.EnsureReserved(CellSlotRegion, offset, length, $"the cell slots of table {g}");
            }
        }
        _region.EnsureReserved(SlotRegion, 0, SlotLimit(TableDirectory.Generation(state)) * KeySlot.Size, "the key slots");
    }

    /// <summary>Gives back the entries and cell slots of tables <paramref name="from"/> up to, not including, <paramref name="below"/> (key slots stay: the keys are the map's).</summary>
    public void Release(int from, int below)
    {
        for (int g = Math.Max(from, 0); g < below && g < Tables; g++)
        {
            (long offset, long length) = EntryExtent(FirstCells, EntryBytes, Grows, g);
            _region.Release(EntryRegion, offset, length);
            if (g < CellSlotTables)
            {
                (offset, length) = CellSlotExtent(FirstCells, g);
                _region.Release(CellSlotRegion, offset, length);
            }
        }
    }

    private static long SlotLimit(long firstSlots, long slotCount, int generation) => Math.Min(slotCount, firstSlots << generation);

    private static bool HasCellSlots(long cells, long slotLimit, int entryBytes, bool grows)
    {
        int spareBits = FolkloreEntry.KeyFieldBits(entryBytes * 4) - FolkloreEntry.KeyBitsFor(slotLimit) - (grows ? 1 : 0);
        return spareBits >= DenseTagBits + 1 && cells * KeySlot.Size <= ShmOptions.CacheSizedTableBytes;
    }

    /// <summary>Table <paramref name="generation"/>'s offset and length in the entry region, tables doubling from <paramref name="firstCells"/>.</summary>
    private static (long Offset, long Length) EntryExtent(long firstCells, int entryBytes, bool grows, int generation)
    {
        long offset = 0;
        for (int g = 0; g < generation; g++)
        {
            offset = checked(offset + TableHead(firstCells << g, grows) + ((firstCells << g) * entryBytes));
        }
        long cells = firstCells << generation;
        return (offset, checked(TableHead(cells, grows) + (cells * entryBytes)));
    }

    /// <summary>Table <paramref name="generation"/>'s cell slots: offset and length in the cell slot region.</summary>
    private static (long Offset, long Length) CellSlotExtent(long firstCells, int generation) =>
        (checked(((firstCells << generation) - firstCells) * KeySlot.Size), checked((firstCells << generation) * KeySlot.Size));
}
