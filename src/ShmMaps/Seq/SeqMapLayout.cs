using System.Numerics;
using ShmMaps.Tables;

namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqMap{TKey,TValue}"/>'s bytes are.
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
internal static class SeqMapLayout
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

    /// <summary>The cell count for <paramref name="capacity"/> entries of <paramref name="stride"/>-byte cells under <paramref name="maxLoad"/> (null: by size, see <see cref="ShmOptions.MaxLoad"/>).</summary>
    public static long CellsFor(long capacity, double? maxLoad, int stride) => TableSizing.CellsFor(capacity, maxLoad, stride, MaxCells, "SeqMap");

    /// <summary>The shift from a home cell to its insert stripe.</summary>
    public static int StripeShiftFor(long cells)
    {
        int bits = BitOperations.Log2((ulong)cells);
        return Math.Min(bits, Math.Max(MinStripeShift, bits - MaxStripeBits));
    }
}
