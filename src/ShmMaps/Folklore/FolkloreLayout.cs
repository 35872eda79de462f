using System.Numerics;

namespace ShmMaps.Folklore;

/// <summary>
/// Where a <see cref="FolkloreMap{TValue}"/>'s bytes are: sizing at create, and the file's layout checked at open (one
/// descriptor for the map and the inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cells of table 0 (a power of two) [1] entry bytes (4 or 8) [2] key slots: the most
///          the file can grow to [3] reserved (0) [4] longest key in bytes [5] key bits of table 0: how many bits of
///          an entry's key field name the key slot, the rest holding a tag of the key's hash [6] 1 if the table has
///          cell slots (a key slot per cell, and entries with a copied bit) [7] tables the file can grow to (0: a map
///          that never grows, one table)
///          in a map that grows, [5] is the key slots of table 0 (each table's key bits are just enough for its
///          slot limit) and [6] how many tables, from table 0, have cell slots
///          counter 0: key slots handed out (the key store's allocation word, see <see cref="KeyStore"/>)
/// region 0 lanes (claimed only to name the writer of a key slot)
/// region 1 directory, see <see cref="TableDirectory"/> (unused in a map that never grows)
/// region 2 blocks, block g right after block g-1, each page aligned, reserved whole as the map grows into it:
///          [table g: its moved flags (one u64 per block of home cells, whole cache lines; none in a map that never
///           grows), then its entries (cells x entry bytes, see <see cref="FolkloreEntry"/>; 0 is an empty cell)]
///          [its cell slots, if it has them: cells x 64 bytes, a copy of the key slot of the key in each cell, written
///           by the writer whose CAS filled the cell before it sets the entry's copied bit]  (padded to a page)
///          [the key slots it adds: slots [limit of table g-1, limit of table g), 64 bytes each, see <see cref="KeySlot"/>]
///          Table g and its cell slots are given back once the map has grown out of it; key slots stay for good.
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
    public const int DirectoryRegion = 1;
    public const int BlockRegion = 2;
    public const int AllocationCounter = 0;

    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 4096;

    /// <summary>Blocks start at multiples of this (a page), so that a table given back is whole pages.</summary>
    public const long BlockAlignment = 4096;

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

    private FolkloreLayout(MapRegion region, long firstCells, int entryBytes, long firstSlots, long slotCount, int tables, int cellSlotTables, bool grows)
    {
        _region = region;
        FirstCells = firstCells;
        EntryBytes = entryBytes;
        FirstSlots = firstSlots;
        SlotCount = slotCount;
        Tables = tables;
        CellSlotTables = cellSlotTables;
        Grows = grows;
        Directory = Grows ? new TableDirectory(region.RegionPointer(DirectoryRegion, out _)) : TableDirectory.Unchanging;
        Keys = new KeyStore(region, slotCount, firstSlots, Grows, generation => (nint)KeySlotsOf(generation));
    }

    /// <summary>The cells of table 0.</summary>
    public long FirstCells { get; }

    /// <summary>The longest key the file says it was made for (every map is made with <see cref="MaxKeyBytes"/>).</summary>
    public long StoredMaxKeyBytes => _region.KindParameters<FolkloreParameters>().MaxKeyBytes;

    public int EntryBytes { get; }

    public int ValueBits => EntryBytes * 4;

    /// <summary>The key slots of table 0: each next table's limit is twice its predecessor's.</summary>
    public long FirstSlots { get; }

    /// <summary>The most key slots: the slot limit of the last table.</summary>
    public long SlotCount { get; }

    /// <summary>How many tables the file can grow to: the map grows at most <c>Tables - 1</c> times.</summary>
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

    /// <summary>
    /// The file a map of <paramref name="capacity"/> keys at first, and at most <paramref name="maxCapacity"/> (null: as memory allows), needs;
    /// <paramref name="keyStoreBytes"/> of long keys' text add key slots to table 0 (64 bytes each).
    /// </summary>
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
        long slotsWanted = capacity + Math.Min(keyStoreBytes / KeySlot.Size, maxKeys);
        // A map whose keys need every bit of the key field (or whose cap says it stays as created) has no frozen bit: it never grows.
        long growingKeys = MaxGrowingKeys(entryBytes);
        bool grows = SlotsFor(slotsWanted, maxKeys) <= growingKeys && maxCapacity != capacity;
        // A map that never grows has room for one key of the longest length besides its keys (in slots of its own).
        long firstSlots = grows ? SlotsFor(slotsWanted, growingKeys) : Math.Min(SlotsFor(slotsWanted, maxKeys) + KeyStore.SlotsFor(MaxKeyBytes), maxKeys);
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
        long firstBlock = BlockExtent(cells, entryBytes, grows, cellSlotTables, firstSlots, slots, 0).Length;
        long[] kindParameters = grows
            ? KindParameterBlock.Words(new FolkloreParameters
            {
                Cells = cells, EntryBytes = entryBytes, SlotCount = slots, MaxKeyBytes = MaxKeyBytes, FirstSlots = firstSlots, CellSlotTables = cellSlotTables, Tables = tables,
            })
            : KindParameterBlock.Words(new FolkloreFixedParameters
            {
                Cells = cells, EntryBytes = entryBytes, SlotCount = slots, MaxKeyBytes = MaxKeyBytes, KeyBits = keyBits, CellSlots = cellSlotTables > 0 ? 1 : 0,
            });
        return new RegionSpec
        {
            Kind = MapKind.FolkloreMap,
            KeySize = 0,
            ValueSize = valueSize,
            KeyTypeName = typeof(string).FullName!,
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = kindParameters,
            RegionLengths = [TableDirectory.Size, BlockExtent(cells, entryBytes, grows, cellSlotTables, firstSlots, slots, tables).Offset],
            // Block 0 is used at once; each next block as the map grows into it.
            ReservedAtCreate = [TableDirectory.Size, firstBlock],
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a FolkloreMap file), every parameter checked against its regions.</summary>
    public static FolkloreLayout Open(MapRegion region)
    {
        OlderFormat.Refuse(region, "FolkloreMap");
        FolkloreParameters growing = region.KindParameters<FolkloreParameters>();
        FolkloreFixedParameters unchanging = region.KindParameters<FolkloreFixedParameters>();
        (long cells, long entryBytes, long tables) = (growing.Cells, growing.EntryBytes, growing.Tables);
        bool grows = tables != 0;
        tables = grows ? tables : 1;
        long cellSlotTables = grows ? growing.CellSlotTables : unchanging.CellSlots != 0 ? 1 : 0;
        if (entryBytes is not (4 or 8) || cells < 4 || (cells & (cells - 1)) != 0 || cells > MaxCells
            || tables < 1 || tables > 40 || (cells << ((int)tables - 1)) > MaxCells || cellSlotTables < 0 || cellSlotTables > tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cell count {cells}, entry size {entryBytes}, {tables} tables or {cellSlotTables} tables with cell slots is invalid");
        }
        long slotCount = growing.SlotCount;
        long maxKeys = grows ? MaxGrowingKeys((int)entryBytes) : MaxKeys((int)entryBytes);
        if (slotCount < 1 || slotCount > maxKeys || slotCount >= cells << ((int)tables - 1))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {slotCount} key slots do not fit {cells} cells of {entryBytes}-byte entries in {tables} tables");
        }
        long firstSlots = grows ? growing.FirstSlots : slotCount;
        if (firstSlots < 1 || firstSlots > slotCount || firstSlots >= cells || Math.Min(slotCount, firstSlots << ((int)tables - 1)) != slotCount)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': table 0's {firstSlots} key slots do not double to the {slotCount} of {tables} tables");
        }
        long directoryBytes = grows ? region.RegionLength(DirectoryRegion) : TableDirectory.Size;
        long blockBytes = region.RegionLength(BlockRegion);
        if (directoryBytes < TableDirectory.Size
            || blockBytes < BlockExtent(cells, (int)entryBytes, grows, (int)cellSlotTables, firstSlots, slotCount, (int)tables).Offset)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the directory ({directoryBytes} bytes) or the block region ({blockBytes} bytes) is too small for {tables} tables from {cells} cells");
        }
        var layout = new FolkloreLayout(region, cells, (int)entryBytes, firstSlots, slotCount, (int)tables, (int)cellSlotTables, grows);
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
    /// for its slot limit; else as the file says.
    /// </summary>
    public int KeyBits(int generation)
    {
        if (Grows)
        {
            return FolkloreEntry.KeyBitsFor(SlotLimit(generation));
        }
        long keyBits = _region.KindParameters<FolkloreFixedParameters>().KeyBits;
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
        (long offset, _) = Block(generation);
        long head = TableHead(cells, Grows);
        byte* start = _region.RegionPointer(BlockRegion, offset, TablePart(generation));
        KeySlot* cellSlots = generation < CellSlotTables ? (KeySlot*)(start + EntriesEnd(generation)) : null;
        Keys.MapThrough(generation); // the key slots its entries may name
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

    /// <summary>Allocates block <paramref name="generation"/>: the table, its cell slots and the key slots it adds (idempotent); <see cref="MapFullException"/> if the file system is full.</summary>
    public void Reserve(int generation)
    {
        (long offset, long length) = Block(generation);
        _region.Reserve(BlockRegion, offset, length, $"table {generation} of the map ({FirstCells << generation:N0} cells, {SlotLimit(generation):N0} key slots)");
    }

    /// <summary>An opener's check that the tables a state word names, and every key slot they may name, lie in the file and are allocated.</summary>
    public void EnsureReserved(ulong state)
    {
        CheckState(state);
        for (int g = 0; g <= TableDirectory.Generation(state); g++)
        {
            (long offset, long length) = Block(g);
            if (g >= TableDirectory.OldestLive(state))
            {
                _region.EnsureReserved(BlockRegion, offset, length, $"table {g} of the map");
            }
            else
            {
                _region.EnsureReserved(BlockRegion, offset + KeySlotsStart(g), length - KeySlotsStart(g), $"the key slots of table {g}");
            }
        }
    }

    /// <summary>The bytes of table <paramref name="generation"/> and its cell slots, given back once the map has grown out of it (key slots stay).</summary>
    public IEnumerable<RegionRange> GivenBack(int generation)
    {
        if ((uint)generation < (uint)Tables)
        {
            yield return new RegionRange(BlockRegion, Block(generation).Offset, KeySlotsStart(generation));
        }
    }

    /// <summary>Block <paramref name="generation"/>'s offset in the block region, and its length.</summary>
    public (long Offset, long Length) Block(int generation) => BlockExtent(FirstCells, EntryBytes, Grows, CellSlotTables, FirstSlots, SlotCount, generation);

    /// <summary>Where in block <paramref name="generation"/> its key slots start (a page boundary).</summary>
    public long KeySlotsStart(int generation) => KeySlotsStart(FirstCells, EntryBytes, Grows, CellSlotTables, generation);

    /// <summary>The key slots of block <paramref name="generation"/>, mapped (the file must hold them).</summary>
    private KeySlot* KeySlotsOf(int generation)
    {
        (long offset, long length) = Block(generation);
        long start = KeySlotsStart(generation);
        return (KeySlot*)_region.RegionPointer(BlockRegion, offset + start, length - start);
    }

    /// <summary>The bytes of block <paramref name="generation"/> before its key slots: the table and its cell slots.</summary>
    private long TablePart(int generation) => KeySlotsStart(generation);

    /// <summary>Where the entries of table <paramref name="generation"/> end in its block (its cell slots follow).</summary>
    private long EntriesEnd(int generation) => EntriesEnd(FirstCells << generation, EntryBytes, Grows);

    private static long EntriesEnd(long cells, int entryBytes, bool grows) => AlignUp(checked(TableHead(cells, grows) + (cells * entryBytes)), KeySlot.Size);

    private static long KeySlotsStart(long firstCells, int entryBytes, bool grows, int cellSlotTables, int generation)
    {
        long cells = firstCells << generation;
        long cellSlots = generation < cellSlotTables ? checked(cells * KeySlot.Size) : 0;
        return AlignUp(checked(EntriesEnd(cells, entryBytes, grows) + cellSlots), BlockAlignment);
    }

    /// <summary>The key slots block <paramref name="generation"/> adds: [limit of table g-1, limit of table g).</summary>
    private static long KeySlotsAdded(long firstSlots, long slotCount, bool grows, int generation) =>
        !grows ? slotCount : SlotLimit(firstSlots, slotCount, generation) - (generation == 0 ? 0 : SlotLimit(firstSlots, slotCount, generation - 1));

    /// <summary>Block <paramref name="generation"/>'s offset and length, blocks following each other from the region's start.</summary>
    private static (long Offset, long Length) BlockExtent(long firstCells, int entryBytes, bool grows, int cellSlotTables, long firstSlots, long slotCount, int generation)
    {
        long offset = 0;
        for (int g = 0; g < generation; g++)
        {
            offset = checked(offset + BlockLength(firstCells, entryBytes, grows, cellSlotTables, firstSlots, slotCount, g));
        }
        return (offset, BlockLength(firstCells, entryBytes, grows, cellSlotTables, firstSlots, slotCount, generation));
    }

    private static long BlockLength(long firstCells, int entryBytes, bool grows, int cellSlotTables, long firstSlots, long slotCount, int generation) =>
        AlignUp(checked(KeySlotsStart(firstCells, entryBytes, grows, cellSlotTables, generation) + (KeySlotsAdded(firstSlots, slotCount, grows, generation) * KeySlot.Size)),
            BlockAlignment);

    private static long SlotLimit(long firstSlots, long slotCount, int generation) => Math.Min(slotCount, firstSlots << generation);

    private static long AlignUp(long value, long alignment) => checked((value + alignment - 1) / alignment * alignment);

    private static bool HasCellSlots(long cells, long slotLimit, int entryBytes, bool grows)
    {
        int spareBits = FolkloreEntry.KeyFieldBits(entryBytes * 4) - FolkloreEntry.KeyBitsFor(slotLimit) - (grows ? 1 : 0);
        return spareBits >= DenseTagBits + 1 && cells * KeySlot.Size <= ShmOptions.CacheSizedTableBytes;
    }
}
