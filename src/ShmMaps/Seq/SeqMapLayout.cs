using System.Numerics;
using ShmMaps.Core.Region;
using ShmMaps.Tables;

namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqMap{TKey,TValue}"/>'s bytes are: sizing at create, and the file's layout checked at open (one
/// descriptor for the map and the inspector).
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cell count (a power of two) [1] cell stride [2] insert-stripe shift
/// region 0 lanes
/// region 1 insert stripes: (cell count &gt;&gt; shift) lock words of 8 bytes; the stripe of home cell h is
///          h &gt;&gt; shift. Only an insert of a new key takes it, so that two processes adding the
///          same key serialize and the second finds the first's entry.
/// region 2 cells: cell count x stride, see <see cref="SeqCellLayout"/>
/// </code>
/// Open addressing with linear probing. A key with home h lies within h + probeLimit(h) (the limit
/// kept in cell h), so a lookup reads at most probeLimit(h) + 1 cells and never depends on empty
/// cells: a removed entry's cell is empty at once and reused by the next insert that passes it.
/// </remarks>
internal sealed unsafe class SeqMapLayout
{
    public const int StripeRegion = 1;
    public const int CellRegion = 2;
    public const int CellCountParameter = 0;
    public const int StrideParameter = 1;
    public const int StripeShiftParameter = 2;

    /// <summary>At most this many insert stripes (512 KiB of lock words).</summary>
    public const int MaxStripeBits = 16;

    /// <summary>At least this many home cells share a stripe.</summary>
    public const int MinStripeShift = 6;

    /// <summary>The largest number of cells.</summary>
    public const long MaxCells = 1L << 31;

    private SeqMapLayout(SeqCells cells, ulong* stripes, int stripeShift)
    {
        Cells = cells;
        Stripes = stripes;
        StripeShift = stripeShift;
    }

    /// <summary>The cells.</summary>
    public SeqCells Cells { get; }

    /// <summary>The insert stripes' lock words.</summary>
    public ulong* Stripes { get; }

    /// <summary>The shift from a home cell to its insert stripe.</summary>
    public int StripeShift { get; }

    /// <summary>The number of insert stripes.</summary>
    public long StripeCount => Cells.Count >> StripeShift;

    /// <summary>The cell count for <paramref name="capacity"/> entries of <paramref name="stride"/>-byte cells under <paramref name="maxLoad"/> (null: by size, see <see cref="ShmOptions.MaxLoad"/>).</summary>
    public static long CellsFor(long capacity, double? maxLoad, int stride) => TableSizing.CellsFor(capacity, maxLoad, stride, MaxCells, "SeqMap");

    /// <summary>The shift from a home cell to its insert stripe.</summary>
    public static int StripeShiftFor(long cells)
    {
        int bits = BitOperations.Log2((ulong)cells);
        return Math.Min(bits, Math.Max(MinStripeShift, bits - MaxStripeBits));
    }

    /// <summary>The file a map of <paramref name="capacity"/> entries of these key and value types needs.</summary>
    public static RegionSpec Spec(long capacity, double? maxLoad, SeqCellLayout layout, string keyTypeName, string valueTypeName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        long cells = CellsFor(capacity, maxLoad, layout.Stride);
        int shift = StripeShiftFor(cells);
        return new RegionSpec
        {
            Kind = MapKind.SeqMap,
            KeySize = layout.KeySize,
            ValueSize = layout.ValueSize,
            KeyTypeName = keyTypeName,
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = [cells, layout.Stride, shift],
            RegionLengths = [(cells >> shift) * sizeof(ulong), checked(cells * layout.Stride)],
            UndoCapacity = layout.ProtectedLength,
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a SeqMap file), every parameter checked against its regions.</summary>
    public static SeqMapLayout Open(MapRegion region)
    {
        var layout = new SeqCellLayout((int)region.Header->KeySize, (int)region.Header->ValueSize);
        long cells = region.KindParameter(CellCountParameter);
        long shift = region.KindParameter(StripeShiftParameter);
        if (cells < 1 || cells > MaxCells || (cells & (cells - 1)) != 0 || region.KindParameter(StrideParameter) != layout.Stride
            || shift != StripeShiftFor(cells))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cell count {cells}, stride {region.KindParameter(StrideParameter)} or stripe shift {shift} is invalid");
        }
        var stripes = (ulong*)region.RegionPointer(StripeRegion, out long stripeBytes);
        if (stripeBytes < (cells >> (int)shift) * sizeof(ulong))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the insert-stripe region is {stripeBytes} bytes, too small for {cells >> (int)shift} stripes");
        }
        return new SeqMapLayout(new SeqCells(region, CellRegion, cells, layout), stripes, (int)shift);
    }
}
