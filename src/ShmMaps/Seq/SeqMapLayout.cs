using System.Numerics;

namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqMap{TKey,TValue}"/>'s bytes are: sizing at create, and the file's layout checked at open (one
/// descriptor for the map and the inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cells of table 0 (a power of two) [1] cell stride [2] tables the file has room for
///          [3] the load, in millionths, past which an insert starts the next table
/// region 0 lanes
/// region 1 directory, see <see cref="TableDirectory"/>
/// region 2 tables: table g (cells of table 0 &lt;&lt; g) right after table g-1, see <see cref="SeqTable"/>. Reserved
///          a table at a time: table 0 at create, each next one before the migration into it is published.
/// </code>
/// Open addressing with linear probing. A key with home h lies within h + probeLimit(h) (the limit
/// kept in cell h), so a lookup reads at most probeLimit(h) + 1 cells and never depends on empty
/// cells: a removed entry's cell is empty at once and reused by the next insert that passes it.
/// </remarks>
internal sealed unsafe class SeqMapLayout
{
    public const int DirectoryRegion = 1;
    public const int TableRegion = 2;

    /// <summary>At most this many insert stripes per table (512 KiB of lock words).</summary>
    public const int MaxStripeBits = 16;

    /// <summary>At least this many home cells share a stripe.</summary>
    public const int MinStripeShift = 6;

    /// <summary>The largest number of cells of one table.</summary>
    public const long MaxCells = 1L << 31;

    /// <summary>The load past which a map created without <see cref="ShmOptions.MaxLoad"/> grows.</summary>
    public const double DefaultGrowLoad = 0.5;

    private readonly MapRegion _region;

    private SeqMapLayout(MapRegion region, SeqCellLayout cell, long firstCells, int tables, double growLoad)
    {
        _region = region;
        Cell = cell;
        FirstCells = firstCells;
        Tables = tables;
        GrowLoad = growLoad;
        Directory = new TableDirectory(region.RegionPointer(DirectoryRegion, out _));
    }

    public SeqCellLayout Cell { get; }

    /// <summary>The cells of table 0.</summary>
    public long FirstCells { get; }

    /// <summary>How many tables the file has room for: the map grows at most <c>Tables - 1</c> times.</summary>
    public int Tables { get; }

    /// <summary>The load past which an insert starts the next table.</summary>
    public double GrowLoad { get; }

    public TableDirectory Directory { get; }

    /// <summary>The cell count for <paramref name="capacity"/> entries of <paramref name="stride"/>-byte cells under <paramref name="maxLoad"/> (null: by size, see <see cref="ShmOptions.MaxLoad"/>).</summary>
    public static long CellsFor(long capacity, double? maxLoad, int stride) => TableSizing.CellsFor(capacity, maxLoad, stride, MaxCells, "SeqMap");

    /// <summary>The shift from a home cell to its insert stripe.</summary>
    public static int StripeShiftFor(long cells)
    {
        int bits = BitOperations.Log2((ulong)cells);
        return Math.Min(bits, Math.Max(MinStripeShift, bits - MaxStripeBits));
    }

    /// <summary>The bytes before a table's cells: its stripes and moved flags, in whole cache lines.</summary>
    public static long TableHead(long cells) => ((cells >> StripeShiftFor(cells)) * 2 * sizeof(ulong) + 63) & ~63L;

    /// <summary>The bytes of a table of <paramref name="cells"/> cells.</summary>
    public static long TableBytes(long cells, int stride) => TableHead(cells) + (cells * stride);

    /// <summary>The offset of table <paramref name="generation"/> in the table region, and its length.</summary>
    public (long Offset, long Length) TableExtent(int generation) => Extent(FirstCells, Cell.Stride, generation);

    /// <summary>The file a map of <paramref name="capacity"/> entries at first, and at most <paramref name="maxCapacity"/> (null: as memory allows), needs.</summary>
    public static RegionSpec Spec(long capacity, double? maxLoad, long? maxCapacity, SeqCellLayout layout, string keyTypeName, string valueTypeName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        long cells = CellsFor(capacity, maxLoad, layout.Stride);
        long lastCells = MaxCells;
        if (maxCapacity is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, capacity, nameof(ShmOptions.MaxCapacity));
            lastCells = Math.Max(CellsFor(cap, maxLoad ?? DefaultGrowLoad, layout.Stride), cells);
        }
        int tables = BitOperations.Log2((ulong)lastCells) - BitOperations.Log2((ulong)cells) + 1;
        return new RegionSpec
        {
            Kind = MapKind.SeqMap,
            KeySize = layout.KeySize,
            ValueSize = layout.ValueSize,
            KeyTypeName = keyTypeName,
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = KindParameterBlock.Words(new SeqMapParameters
            {
                Cells = cells, Stride = layout.Stride, Tables = tables, GrowLoadMillionths = (long)Math.Round((maxLoad ?? DefaultGrowLoad) * 1_000_000),
            }),
            RegionLengths = [TableDirectory.Size, Extent(cells, layout.Stride, tables).Offset],
            ReservedAtCreate = [TableDirectory.Size, TableBytes(cells, layout.Stride)],
            UndoCapacity = layout.ProtectedLength,
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a SeqMap file), every parameter checked against its regions.</summary>
    public static SeqMapLayout Open(MapRegion region)
    {
        var cell = new SeqCellLayout((int)region.Header->KeySize, (int)region.Header->ValueSize);
        SeqMapParameters parameters = region.KindParameters<SeqMapParameters>();
        (long cells, long tables, long growLoad) = (parameters.Cells, parameters.Tables, parameters.GrowLoadMillionths);
        if (growLoad == 0 && tables == StripeShiftFor(cells))
        {
            throw new LayoutMismatchException(
                $"map '{region.Name}' is a SeqMap made before maps grew (its table cannot grow), which this version does not read: dump it with " +
                "the shm of the version that made it (shm dump) and load the entries into a new map (shm load, shm set, or the API)");
        }
        OlderFormat.Refuse(region, "SeqMap");
        if (cells < 4 || cells > MaxCells || (cells & (cells - 1)) != 0 || parameters.Stride != cell.Stride
            || tables < 1 || tables > BitOperations.Log2((ulong)MaxCells) - BitOperations.Log2((ulong)cells) + 1
            || growLoad <= 50_000 || growLoad > 1_000_000)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cell count {cells}, stride {parameters.Stride}, table count {tables} or growth load {growLoad} is invalid");
        }
        long directoryBytes = region.RegionLength(DirectoryRegion);
        long tableBytes = region.RegionLength(TableRegion);
        (long offset, _) = Extent(cells, cell.Stride, (int)tables);
        if (directoryBytes < TableDirectory.Size || tableBytes < offset)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the directory ({directoryBytes} bytes) or the table region ({tableBytes} bytes) is too small for {tables} tables from {cells} cells");
        }
        return new SeqMapLayout(region, cell, cells, (int)tables, growLoad / 1_000_000.0);
    }

    /// <summary>
    /// Table <paramref name="generation"/> as this process maps it; <see cref="CorruptMapException"/> for a generation
    /// the file has no room for (a damaged state word).
    /// </summary>
    public SeqTable Table(int generation)
    {
        if ((uint)generation >= (uint)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': its directory names table {generation}, but the file has room for {Tables}");
        }
        long cells = FirstCells << generation;
        int shift = StripeShiftFor(cells);
        (long offset, long length) = TableExtent(generation);
        byte* start = _region.RegionPointer(TableRegion, offset, length);
        var cellTable = new SeqCells(_region, start + TableHead(cells), cells, Cell);
        return new SeqTable(generation, cellTable, (ulong*)start, (ulong*)start + (cells >> shift), shift);
    }

    /// <summary>The tables state word <paramref name="state"/> names; <see cref="CorruptMapException"/> if it names none of this file's.</summary>
    public SeqView View(ulong state)
    {
        CheckState(state);
        int generation = TableDirectory.Generation(state);
        return new SeqView(state, Table(generation), TableDirectory.IsMigrating(state) ? Table(generation - 1) : null);
    }

    /// <summary>Checks that a state word read from the file names a state of this file: <see cref="CorruptMapException"/> if not.</summary>
    public void CheckState(ulong state) => TableDirectory.Check(state, Tables, _region.Name);

    /// <summary>Allocates table <paramref name="generation"/>'s memory (idempotent); <see cref="MapFullException"/> if the file system is full.</summary>
    public void Reserve(int generation)
    {
        (long offset, long length) = TableExtent(generation);
        _region.Reserve(TableRegion, offset, length, $"table {generation} of the map ({FirstCells << generation:N0} cells)");
    }

    /// <summary>An opener's check that the tables a state word names are allocated (the file may come from a process that did not).</summary>
    public void EnsureReserved(ulong state)
    {
        CheckState(state);
        int newest = TableDirectory.Generation(state);
        for (int g = TableDirectory.IsMigrating(state) ? newest - 1 : newest; g <= newest; g++)
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

    /// <summary>Table <paramref name="generation"/>'s offset in the table region and its length, tables doubling from <paramref name="firstCells"/>.</summary>
    private static (long Offset, long Length) Extent(long firstCells, int stride, int generation)
    {
        long offset = 0;
        for (int g = 0; g < generation; g++)
        {
            offset = checked(offset + TableBytes(firstCells << g, stride));
        }
        return (offset, TableBytes(firstCells << generation, stride));
    }
}
