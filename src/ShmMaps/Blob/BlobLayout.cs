using System.Numerics;

namespace ShmMaps.Blob;

/// <summary>
/// Where a <see cref="BlobMap"/>'s bytes are: sizing at create, the file checked at open, and the tables as this process
/// maps them (one descriptor for the map and its inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] stripes of table 0 [1] cells per stripe [2] tables [3] bytes of table 0 [4] 1: live bytes kept
/// region 0 lanes (each lane's undo area holds its <see cref="BlobRecord"/>)
/// region 1 control (<see cref="BlobControl"/>): directory, frontier, table offsets, free lists
/// region 2 leases (<see cref="BlobLeases"/>): the blocks readers read in place, by lane
/// region 3 heap, growing: table 0 at offset 0, then tables and blocks as the frontier hands them out
/// table g   stripes of table 0 &lt;&lt; g, whole pages long, where the frontier was (the pages wholly inside are given back)
/// stripe    0  u64 lock word  robust: guards the stripe's cells and count
///           8  u64 moved      1 once the stripe is copied into the next table
///          16  i64 live       entries that name a block
///          24  reserved
///          32  u64 referenced [4]: a bit per cell, set by a read of its entry, cleared by the eviction hand (<see cref="BlobBudget"/>)
///          64  cells: 256 entries (<see cref="BlobEntry"/>)
/// block     see <see cref="BlobBlock"/>, 16-byte aligned, of a size class (<see cref="SizeClasses"/>)
/// </code>
/// A key's stripe is its hash's low bits (at most 24), its home cell there bits 24 to 31; it probes linearly within the
/// stripe, wrapping. A table twice as large splits stripe s into stripes s and s + the old count.
/// </remarks>
internal sealed unsafe class BlobLayout
{
    public const int ControlRegion = 1;
    public const int LeaseRegion = 2;
    public const int HeapRegion = 3;

    public const int CellsPerStripe = 256;
    public const int MovedOffset = 8;
    public const int LiveOffset = 16;
    public const int ReferencedOffset = 32;
    public const int CellsOffset = 64;
    public const long StripeStride = CellsOffset + (CellsPerStripe * sizeof(ulong));

    /// <summary>The most cells of one table.</summary>
    public const long MaxCells = 1L << 32;

    /// <summary>The heap's room: every process reserves address space for what the file holds, not for this.</summary>
    public const long HeapBytes = 1L << 40;

    private const long Page = 4096;

    private readonly MapRegion _region;

    private BlobLayout(MapRegion region, long firstStripes, int tables, long firstTableBytes, bool keepsLiveBytes)
    {
        _region = region;
        FirstStripes = firstStripes;
        Tables = tables;
        FirstTableBytes = firstTableBytes;
        KeepsLiveBytes = keepsLiveBytes;
        Control = new BlobControl(region.RegionPointer(ControlRegion, out _));
        Leases = new BlobLeases(region.RegionPointer(LeaseRegion, out _), region.Lanes.Count, region.Lanes);
        Heap = new RegionGrowth(region, HeapRegion, firstTableBytes, "the heap");
    }

    public long FirstStripes { get; }

    /// <summary>How many tables the map may have: it grows at most <c>Tables - 1</c> times.</summary>
    public int Tables { get; }

    public long FirstTableBytes { get; }

    /// <summary>Whether the control region keeps the map's live bytes (every file made since budgets came; an older one has no budget).</summary>
    public bool KeepsLiveBytes { get; }

    public BlobControl Control { get; }

    public BlobLeases Leases { get; }

    public RegionGrowth Heap { get; }

    public MapRegion Region => _region;

    /// <summary>The heap bytes handed out so far (table 0's at least), as the file says, checked against the heap's room.</summary>
    public long Frontier
    {
        get
        {
            long frontier = SharedMemory.ReadAcquire(Control.Frontier);
            if (frontier == 0)
            {
                return FirstTableBytes;
            }
            if (frontier < FirstTableBytes || frontier > _region.RegionLength(HeapRegion))
            {
                ThrowHelper.ThrowCorrupt($"map '{_region.Name}': its heap frontier {frontier} lies outside [{FirstTableBytes}, {_region.RegionLength(HeapRegion)}]");
            }
            return frontier;
        }
    }

    /// <summary>The bytes of a table of <paramref name="stripes"/> stripes (whole pages, so that it can be given back).</summary>
    public static long TableBytes(long stripes) => ((stripes * StripeStride) + Page - 1) / Page * Page;

    /// <summary>The file a map for <paramref name="capacity"/> keys at first needs.</summary>
    public static RegionSpec Spec(long capacity, ShmOptions? options)
    {
        int lanes = options?.WriterLanes ?? ShmOptions.Default.WriterLanes;
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        long cells = TableSizing.CellsFor(Math.Max(capacity, 1), 0.5, MaxCells, "BlobMap");
        long stripes = Math.Max(1, cells / CellsPerStripe);
        int tables = Math.Min(BitOperations.Log2((ulong)(MaxCells / CellsPerStripe)) - BitOperations.Log2((ulong)stripes) + 1, BlobControl.MaxTables);
        long firstTable = TableBytes(stripes);
        return new RegionSpec
        {
            Kind = MapKind.BlobMap,
            KeySize = 0,
            ValueSize = 0,
            KeyTypeName = "utf8",
            ValueTypeName = "bytes",
            Capacity = capacity,
            KindParameters = KindParameterBlock.Words(new BlobParameters
            {
                Stripes = stripes, CellsPerStripe = CellsPerStripe, Tables = tables, FirstTableBytes = firstTable, KeepsLiveBytes = 1,
            }),
            RegionLengths = [BlobControl.Size, BlobLeases.Bytes(lanes), HeapBytes],
            ReservedAtCreate = [BlobControl.Size, BlobLeases.Bytes(lanes), RegionGrowth.InitialFor(firstTable, HeapBytes)],
            UndoCapacity = BlobRecord.Size,
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a BlobMap file), every parameter checked against its regions.</summary>
    public static BlobLayout Open(MapRegion region)
    {
        BlobParameters p = region.KindParameters<BlobParameters>();
        if (p.Stripes < 1 || !BitOperations.IsPow2(p.Stripes) || p.CellsPerStripe != CellsPerStripe
            || p.Tables < 1 || p.Tables > BlobControl.MaxTables || (p.Stripes << ((int)p.Tables - 1)) > MaxCells / CellsPerStripe
            || p.FirstTableBytes != TableBytes(p.Stripes) || p.KeepsLiveBytes is not (0 or 1))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {p.Stripes} stripes of {p.CellsPerStripe} cells, {p.Tables} tables, a first table of {p.FirstTableBytes} bytes or live-bytes flag {p.KeepsLiveBytes} is invalid");
        }
        if (region.RegionLength(ControlRegion) < BlobControl.Size || region.RegionLength(LeaseRegion) < BlobLeases.Bytes(region.Lanes.Count)
            || region.RegionLength(HeapRegion) is < Page or > BlobEntry.MaxHeapBytes
            || region.RegionLength(HeapRegion) < p.FirstTableBytes || region.Lanes.UndoCapacity < BlobRecord.Size)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': its control region, heap or lanes are too small for a BlobMap");
        }
        return new BlobLayout(region, p.Stripes, (int)p.Tables, p.FirstTableBytes, p.KeepsLiveBytes == 1);
    }

    /// <summary>Table <paramref name="generation"/>'s offset in the heap; <see cref="CorruptMapException"/> if the file names no table there.</summary>
    public long TableOffset(int generation)
    {
        if ((uint)generation >= (uint)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': its directory names table {generation}, but the map has room for {Tables}");
        }
        if (generation == 0)
        {
            return 0;
        }
        long offset = SharedMemory.ReadAcquire(Control.TableOffset(generation));
        long bytes = TableBytes(FirstStripes << generation);
        if (offset < FirstTableBytes || offset % BlobEntry.UnitBytes != 0 || offset > Frontier - bytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': table {generation} is said to lie at heap offset {offset}, outside the heap handed out");
        }
        return offset;
    }

    /// <summary>Table <paramref name="generation"/> as this process maps it.</summary>
    public BlobTable Table(int generation)
    {
        long stripes = FirstStripes << generation;
        long offset = TableOffset(generation);
        return new BlobTable(generation, _region.RegionPointer(HeapRegion, offset, TableBytes(stripes)), stripes);
    }

    /// <summary>The tables state word <paramref name="state"/> names; <see cref="CorruptMapException"/> if it names none of this file's.</summary>
    public BlobView View(ulong state)
    {
        TableDirectory.Check(state, Tables, _region.Name);
        int generation = TableDirectory.Generation(state);
        return new BlobView(state, Table(generation), TableDirectory.IsMigrating(state) ? Table(generation - 1) : null);
    }

    /// <summary>The bytes of table <paramref name="generation"/>, given back once the map has grown out of it.</summary>
    public IEnumerable<RegionRange> GivenBack(int generation)
    {
        yield return new RegionRange(HeapRegion, TableOffset(generation), TableBytes(FirstStripes << generation));
    }

    /// <summary>Whether <paramref name="size"/> block bytes at heap offset <paramref name="offset"/> (read from the file) lie past table 0, aligned, within what the frontier handed out.</summary>
    public bool HoldsBlock(long offset, int size) => offset >= FirstTableBytes && offset % BlobEntry.UnitBytes == 0 && offset <= Frontier - size;

    /// <summary>
    /// Block bytes <c>[offset, offset + size)</c> of the heap: <see cref="CorruptMapException"/> unless they lie past table 0
    /// and within what the frontier handed out.
    /// </summary>
    public byte* Block(long offset, int size)
    {
        if (!HoldsBlock(offset, size))
        {
            ThrowHelper.ThrowCorrupt($"map '{_region.Name}': a block of {size} bytes at heap offset {offset} lies outside the heap handed out");
        }
        return _region.RegionPointer(HeapRegion, offset, size);
    }
}
