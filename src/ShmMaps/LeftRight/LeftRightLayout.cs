namespace ShmMaps.LeftRight;

/// <summary>
/// Where a left-right map's bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cells of a copy's first table (a power of two) [1] cell stride [2] reader slots
///          [3] tables each copy has room for (0 in files made before copies grew: 1) [4] the load, in
///          millionths, past which the writer grows the copy it writes
/// region 0 lanes (unused: one writer, no per-cell locks)
/// region 1 control (<see cref="LeftRightControl"/>): the publish sequence, the writer, the copies' counts and
///          the table generation each copy is on
/// region 2 reader slots, 64 bytes each (<c>ReaderSlot</c>)
/// region 3 tables: block g (the two copies' table g, first cells &lt;&lt; g each: copy 0's, then copy 1's) right
///          after block g-1, reserved a block at a time as the map grows into it; a copy uses one table at a time
/// cell     0  u64 tag: 0 empty, else the key's hash | 1
///          8  key, then value, the stride rounded up to 8
/// </code>
/// Readers read copy <c>sequence &amp; 1</c>, which nobody writes while any reader may be on it; the writer
/// writes the other copy, publishes by incrementing the sequence, and before writing the now-old copy
/// again waits for the reader slots that may be on it. The writer grows a copy only while it writes it (no reader
/// can be on it): it rehashes the copy into its next table and names that table in the control block before it
/// publishes; the other copy follows at the next write guard. Within a copy, open addressing with linear probing
/// and backward-shift removal (no tombstones: no reader sees a copy while it changes).
/// </remarks>
internal static class LeftRightLayout
{
    /// <summary>The load past which a map created without <see cref="ShmOptions.MaxLoad"/> grows.</summary>
    public const double DefaultGrowLoad = 0.5;

    public const int ControlRegion = 1;
    public const int ReaderSlotRegion = 2;
    public const int TableRegion = 3;

    public const int KeyOffset = 8;

    /// <summary>The largest number of cells per copy.</summary>
    public const long MaxCells = 1L << 34;

    /// <summary>The most cells a copy grows to unless <see cref="ShmOptions.MaxCapacity"/> says otherwise (what the file reserves room for).</summary>
    public const long MaxGrownCells = 1L << 31;

    /// <summary>The largest reader slot table.</summary>
    public const int MaxReaderSlots = 1 << 16;

    /// <summary>The writer's liveness byte lock: held while a writer handle is open.</summary>
    public const long WriterLockOffset = LaneTable.LockBase + (1L << 39);

    public static int CellStride(int keySize, int valueSize) => (KeyOffset + keySize + valueSize + 7) & ~7;

    /// <summary>The bytes of one copy's table <paramref name="generation"/>.</summary>
    public static long TableBytes(long firstCells, int stride, int generation) => checked((firstCells << generation) * stride);

    /// <summary>Where block <paramref name="generation"/> (both copies' table of that generation) starts in the table region: after the blocks before it.</summary>
    public static long BlockOffset(long firstCells, int stride, int generation) => checked(2 * firstCells * stride * ((1L << generation) - 1));

    /// <summary>Where copy <paramref name="copy"/>'s table <paramref name="generation"/> starts in the table region.</summary>
    public static long TableOffset(long firstCells, int stride, int copy, int generation) =>
        checked(BlockOffset(firstCells, stride, generation) + (copy * TableBytes(firstCells, stride, generation)));

    /// <summary>The file a LeftRightMap of <paramref name="capacity"/> entries (0: one being opened) needs under <paramref name="options"/>.</summary>
    public static RegionSpec Spec<TKey, TValue>(long capacity, ShmOptions? options)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged
    {
        KeyBytes<TKey>.EnsureNoPadding();
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        int slots = options?.ReaderSlots ?? ShmOptions.Default.ReaderSlots;
        if (slots is < 1 or > MaxReaderSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(options), slots, $"ReaderSlots must be 1 to {MaxReaderSlots}");
        }
        int stride = CellStride(Unsafe.SizeOf<TKey>(), Unsafe.SizeOf<TValue>());
        long cells = TableSizing.CellsFor(capacity + 1, options?.MaxLoad, stride, MaxCells, "LeftRightMap");
        double growLoad = options?.MaxLoad ?? DefaultGrowLoad;
        long lastCells = Math.Max(cells, MaxGrownCells);
        if (options?.MaxCapacity is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, capacity, nameof(ShmOptions.MaxCapacity));
            lastCells = Math.Max(TableSizing.CellsFor(cap + 1, growLoad, stride, MaxCells, "LeftRightMap"), cells);
        }
        int tables = System.Numerics.BitOperations.Log2((ulong)lastCells) - System.Numerics.BitOperations.Log2((ulong)cells) + 1;
        long tableBytes = BlockOffset(cells, stride, tables);
        return new RegionSpec
        {
            Kind = MapKind.LeftRightMap,
            KeySize = Unsafe.SizeOf<TKey>(),
            ValueSize = Unsafe.SizeOf<TValue>(),
            KeyTypeName = TypeLayout.NameOf<TKey>(),
            ValueTypeName = TypeLayout.NameOf<TValue>(),
            Capacity = capacity,
            KindParameters = KindParameterBlock.Words(new LeftRightParameters
            {
                Cells = cells, CellStride = stride, ReaderSlots = slots, Tables = tables, GrowLoadMillionths = (long)Math.Round(growLoad * 1_000_000),
            }),
            RegionLengths = [LeftRightControl.Size, (long)slots * Core.Epochs.ReaderSlot.Size, tableBytes],
            ReservedAtCreate = [LeftRightControl.Size, (long)slots * Core.Epochs.ReaderSlot.Size, BlockOffset(cells, stride, 1)],
        };
    }

    /// <summary>The kind parameters of <paramref name="region"/> (a LeftRightMap file), checked: <see cref="CorruptMapException"/> naming what is wrong.</summary>
    public static unsafe LeftRightParameters Parameters(MapRegion region)
    {
        LeftRightParameters parameters = region.KindParameters<LeftRightParameters>();
        (long cells, long stride, long slots, long growLoad) = (parameters.Cells, parameters.CellStride, parameters.ReaderSlots, parameters.GrowLoadMillionths);
        long tables = parameters.Tables = Math.Max(parameters.Tables, 1);
        if (cells < 4 || cells > MaxCells || (cells & (cells - 1)) != 0
            || stride != CellStride((int)region.Header->KeySize, (int)region.Header->ValueSize)
            || slots is < 1 or > MaxReaderSlots
            || tables > 1 + Math.Log2(MaxCells / cells) || (tables > 1 && growLoad is <= 50_000 or > 1_000_000))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {cells} cells, stride {stride}, {slots} reader slots, {tables} tables or growth load {growLoad} is invalid");
        }
        return parameters;
    }
}
