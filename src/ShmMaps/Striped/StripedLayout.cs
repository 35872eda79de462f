using System.Numerics;

namespace ShmMaps.Striped;

/// <summary>
/// Where a <see cref="StripedMap{TKey,TValue}"/>'s bytes are: sizing at create, and the file's layout checked at open
/// (one descriptor for the map and the inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] stripes of table 0 [1] cells per stripe [2] cell stride [3] stripe stride
///          [4] tables the file has room for (0: a file made before maps grew, one table and no directory)
///          [5] the load, in millionths, past which an add starts the next table (counts are powers of two)
/// region 0 lanes (undo image: one cell, then a KeyLock's scope log)
/// region 1 tables: table g (stripes of table 0 &lt;&lt; g, each of the same cells) right after table g-1;
///          reserved a table at a time: table 0 at create, each next one before the migration into it is published
/// region 2 directory, see <see cref="TableDirectory"/>
/// stripe     0  u64 lock word   [version 32][gen 16][lane 15][locked 1]; every release bumps the version
///            8  u64 moved       1 once the stripe is copied into the next table (set under its lock)
///           16  cells: cells per stripe x cell stride
/// cell       0  u32 state       0 empty, 1 occupied, 2 removed (a tombstone lookups step over)
///            4  u32 reserved
///            8  key, then value, the stride rounded up to 8
/// </code>
/// A key's stripe is its hash's low bits and its home cell in the stripe the high bits; it probes linearly
/// within the stripe, wrapping, so every byte a key's operation reads or writes is guarded by one lock
/// word. A writer changes one cell per step under the stripe lock, with that cell's bytes as the undo
/// image (the write protocol of <c>Lane</c>); readers copy what they need and check that the stripe's
/// word did not change. A table twice as large splits stripe s into its stripes s and s + the old count (one more
/// bit of the hash), the home cells unchanged.
/// </remarks>
internal sealed unsafe class StripedLayout
{
    public const int TableRegion = 1;
    public const int DirectoryRegion = 2;

    public const int MovedOffset = 8;
    public const int CellsOffset = 16;
    public const int KeyOffset = 8;

    public const uint Empty = 0;
    public const uint Occupied = 1;
    public const uint Removed = 2;

    /// <summary>The fewest cells per stripe when the stripe count is chosen; more where that many could overflow (<see cref="StripeOverflow"/>).</summary>
    public const int DefaultCellsPerStripe = 64;

    /// <summary>A stripe has at least this many cells.</summary>
    public const int MinCellsPerStripe = 16;

    /// <summary>The largest number of cells of one table.</summary>
    public const long MaxCells = 1L << 31;

    /// <summary>
    /// The most cells a stripe has: a <see cref="KeyLock{TKey,TValue}"/> copies each stripe it locks whole, and a lookup
    /// may probe all of a stripe's cells, so a stripe stays small (at most a few MiB).
    /// </summary>
    public const long MaxCellsPerStripe = 1L << 16;

    /// <summary>The most bytes a stripe takes (what a KeyLock copies per stripe).</summary>
    public const long MaxStripeBytes = 64L << 20;

    /// <summary>The load past which a map created without <see cref="ShmOptions.MaxLoad"/> grows.</summary>
    public const double DefaultGrowLoad = 0.5;

    private readonly MapRegion _region;

    private StripedLayout(MapRegion region, long firstStripes, long cellsPerStripe, int tables, double growLoad, bool grows)
    {
        _region = region;
        KeySize = (int)region.Header->KeySize;
        ValueSize = (int)region.Header->ValueSize;
        CellStride = CellStrideOf(KeySize, ValueSize);
        FirstStripes = firstStripes;
        CellsPerStripe = cellsPerStripe;
        StripeStride = StripeStrideOf(cellsPerStripe, CellStride);
        Tables = tables;
        GrowLoad = growLoad;
        Directory = grows ? new TableDirectory(region.RegionPointer(DirectoryRegion, out _)) : TableDirectory.Unchanging;
    }

    /// <summary>The stripes of table 0.</summary>
    public long FirstStripes { get; }

    public long CellsPerStripe { get; }

    public int CellStride { get; }

    public long StripeStride { get; }

    public int KeySize { get; }

    public int ValueSize { get; }

    /// <summary>How many tables the file has room for: the map grows at most <c>Tables - 1</c> times.</summary>
    public int Tables { get; }

    /// <summary>The load past which an add starts the next table.</summary>
    public double GrowLoad { get; }

    public TableDirectory Directory { get; }

    public static int CellStrideOf(int keySize, int valueSize) => (KeyOffset + keySize + valueSize + 7) & ~7;

    public static long StripeStrideOf(long cellsPerStripe, int cellStride) => (CellsOffset + (cellsPerStripe * cellStride) + 63) & ~63L;

    /// <summary>
    /// Stripes and cells per stripe for <paramref name="capacity"/> entries: the table of <see cref="TableSizing"/>
    /// cut into <paramref name="stripeCount"/> stripes of at least 16 cells, or (0) into stripes of 64 cells or more.
    /// Stripes are made large enough that <paramref name="capacity"/> keys overflow none of them but with a negligible
    /// chance (<see cref="StripeOverflow"/>): a chosen count of stripes by more cells each, else by fewer, larger stripes.
    /// </summary>
    public static (long Stripes, long CellsPerStripe) Size(long capacity, int stripeCount, double? maxLoad, int cellStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(stripeCount);
        if (stripeCount != 0 && !BitOperations.IsPow2(stripeCount))
        {
            throw new ArgumentException($"the stripe count must be a power of two, not {stripeCount}", nameof(stripeCount));
        }
        long cells = TableSizing.CellsFor(capacity, maxLoad, cellStride, MaxCells, "StripedMap");
        long stripes = stripeCount != 0 ? stripeCount : Math.Max(1, cells / DefaultCellsPerStripe);
        long perStripe = Math.Max(cells / stripes, MinCellsPerStripe);
        while (StripeOverflow.Chance(capacity, stripes, perStripe) > StripeOverflow.Negligible && perStripe <= MaxCellsPerStripe)
        {
            perStripe *= 2;
            if (stripeCount == 0 && stripes > 1)
            {
                stripes /= 2;
            }
        }
        if (stripes * perStripe > MaxCells)
        {
            throw new ArgumentOutOfRangeException(nameof(stripeCount), stripeCount, $"{stripes} stripes of {perStripe} cells exceed a StripedMap's {MaxCells} cells");
        }
        if (perStripe > MaxCellsPerStripe || StripeStrideOf(perStripe, cellStride) > MaxStripeBytes)
        {
            throw new ArgumentException(
                $"{stripes} stripes for {capacity} entries would make stripes of {perStripe} cells of {cellStride} bytes; a stripe has at most " +
                $"{MaxCellsPerStripe} cells and {MaxStripeBytes} bytes (a KeyLock copies it whole): use more stripes, or 0 to choose", nameof(stripeCount));
        }
        return (stripes, perStripe);
    }

    /// <summary>The file a map of <paramref name="capacity"/> entries at first, and at most <paramref name="maxCapacity"/> (null: as memory allows), needs.</summary>
    public static RegionSpec Spec(long capacity, int stripeCount, double? maxLoad, long? maxCapacity, int keySize, int valueSize, string keyTypeName, string valueTypeName)
    {
        int cellStride = CellStrideOf(keySize, valueSize);
        (long stripes, long perStripe) = Size(capacity, stripeCount, maxLoad, cellStride);
        long stripeStride = StripeStrideOf(perStripe, cellStride);
        long lastStripes = MaxCells / perStripe;
        if (maxCapacity is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, capacity, nameof(ShmOptions.MaxCapacity));
            long cells = TableSizing.CellsFor(cap, maxLoad ?? DefaultGrowLoad, MaxCells, "StripedMap");
            long most = lastStripes;
            lastStripes = Math.Clamp(cells / perStripe, stripes, most);
            // The largest table holds the cap's keys in its stripes but with a negligible chance of one overflowing.
            while (lastStripes < most && StripeOverflow.Chance(cap, lastStripes, perStripe) > StripeOverflow.Negligible)
            {
                lastStripes *= 2;
            }
        }
        int tables = BitOperations.Log2((ulong)lastStripes) - BitOperations.Log2((ulong)stripes) + 1;
        return new RegionSpec
        {
            Kind = MapKind.StripedMap,
            KeySize = keySize,
            ValueSize = valueSize,
            KeyTypeName = keyTypeName,
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = KindParameterBlock.Words(new StripedParameters
            {
                Stripes = stripes, CellsPerStripe = perStripe, CellStride = cellStride, StripeStride = stripeStride, Tables = tables,
                GrowLoadMillionths = (long)Math.Round((maxLoad ?? DefaultGrowLoad) * 1_000_000),
            }),
            RegionLengths = [Extent(stripes, stripeStride, tables).Offset, TableDirectory.Size],
            ReservedAtCreate = [stripes * stripeStride, TableDirectory.Size],
            UndoCapacity = cellStride + KeyLockLog.Capacity(cellStride),
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a StripedMap file), every parameter checked against its regions.</summary>
    public static StripedLayout Open(MapRegion region)
    {
        StripedParameters parameters = region.KindParameters<StripedParameters>();
        (long stripes, long perStripe, long tables, long growLoad) = (parameters.Stripes, parameters.CellsPerStripe, parameters.Tables, parameters.GrowLoadMillionths);
        int cellStride = CellStrideOf((int)region.Header->KeySize, (int)region.Header->ValueSize);
        bool grows = tables != 0;
        tables = grows ? tables : 1;
        if (stripes < 1 || (stripes & (stripes - 1)) != 0 || perStripe < 1 || (perStripe & (perStripe - 1)) != 0
            || perStripe > MaxCellsPerStripe || stripes > MaxCells / perStripe
            || parameters.CellStride != cellStride || parameters.StripeStride != StripeStrideOf(perStripe, cellStride)
            || StripeStrideOf(perStripe, cellStride) > MaxStripeBytes
            || tables < 1 || tables > 32 || (stripes << ((int)tables - 1)) > MaxCells / perStripe || (grows && (growLoad <= 50_000 || growLoad > 1_000_000)))
        {
            ThrowHelper.ThrowCorrupt(
                $"map '{region.Name}': {stripes} stripes of {perStripe} cells, the cell or stripe stride, {tables} tables or growth load {growLoad} is invalid");
        }
        OlderFormat.Refuse(region, "StripedMap");
        long tableBytes = region.RegionLength(TableRegion);
        long directoryBytes = grows ? region.RegionLength(DirectoryRegion) : TableDirectory.Size;
        if (tableBytes < Extent(stripes, StripeStrideOf(perStripe, cellStride), (int)tables).Offset || directoryBytes < TableDirectory.Size)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the table region ({tableBytes} bytes) or the directory ({directoryBytes} bytes) is too small for {tables} tables from {stripes} stripes");
        }
        return new StripedLayout(region, stripes, perStripe, (int)tables, grows ? growLoad / 1_000_000.0 : 1, grows);
    }

    /// <summary>
    /// Table <paramref name="generation"/> as this process maps it; <see cref="CorruptMapException"/> for a generation
    /// the file has no room for (a damaged state word).
    /// </summary>
    public StripeTable Table(int generation)
    {
        if ((uint)generation >= (uint)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': its directory names table {generation}, but the file has room for {Tables}");
        }
        (long offset, long length) = TableExtent(generation);
        byte* start = _region.RegionPointer(TableRegion, offset, length);
        return new StripeTable(this, generation, start, FirstStripes << generation, _region.HashSeed);
    }

    /// <summary>The tables state word <paramref name="state"/> names; <see cref="CorruptMapException"/> if it names none of this file's.</summary>
    public StripedView View(ulong state)
    {
        CheckState(state);
        int generation = TableDirectory.Generation(state);
        return new StripedView(state, Table(generation), TableDirectory.IsMigrating(state) ? Table(generation - 1) : null);
    }

    /// <summary>Checks that a state word read from the file names a state of this file: <see cref="CorruptMapException"/> if not.</summary>
    public void CheckState(ulong state) => TableDirectory.Check(state, Tables, _region.Name);

    /// <summary>Table <paramref name="generation"/>'s offset in the table region and its length.</summary>
    public (long Offset, long Length) TableExtent(int generation) => Extent(FirstStripes, StripeStride, generation);

    /// <summary>Allocates table <paramref name="generation"/>'s memory (idempotent); <see cref="MapFullException"/> if the file system is full.</summary>
    public void Reserve(int generation)
    {
        (long offset, long length) = TableExtent(generation);
        _region.Reserve(TableRegion, offset, length, $"table {generation} of the map ({FirstStripes << generation:N0} stripes of {CellsPerStripe} cells)");
    }

    /// <summary>An opener's check that the tables a state word names are allocated (the file may come from a process that did not).</summary>
    public void EnsureReserved(ulong state)
    {
        CheckState(state);
        for (int g = TableDirectory.OldestLive(state); g <= TableDirectory.Generation(state); g++)
        {
            (long offset, long length) = TableExtent(g);
            _region.EnsureReserved(TableRegion, offset, length, $"table {g} of the map");
        }
    }

    /// <summary>The bytes of table <paramref name="generation"/>, given back once the map has grown out of it.</summary>
    public IEnumerable<RegionRange> GivenBack(int generation)
    {
        (long offset, long length) = TableExtent(generation);
        yield return new RegionRange(TableRegion, offset, length);
    }

    /// <summary>Table <paramref name="generation"/>'s offset and length, tables doubling from <paramref name="firstStripes"/>.</summary>
    private static (long Offset, long Length) Extent(long firstStripes, long stripeStride, int generation) =>
        (checked(((firstStripes << generation) - firstStripes) * stripeStride), checked((firstStripes << generation) * stripeStride));
}
