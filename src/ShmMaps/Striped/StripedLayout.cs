using System.Numerics;
using ShmMaps.Tables;

namespace ShmMaps.Striped;

/// <summary>
/// Where a <see cref="StripedMap{TKey,TValue}"/>'s bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] stripe count [1] cells per stripe [2] cell stride [3] stripe stride
///          (counts are powers of two)
/// region 0 lanes (undo image: one cell)
/// region 1 stripes, stripe stride bytes each:
///            0  u64 lock word   [version 32][gen 16][lane 15][locked 1]; every release bumps the version
///            8  u64 reserved
///           16  cells: cells per stripe x cell stride
/// cell       0  u32 state       0 empty, 1 occupied, 2 removed (a tombstone lookups step over)
///            4  u32 reserved
///            8  key, then value, the stride rounded up to 8
/// </code>
/// A key's stripe is its hash's low bits and its home cell in the stripe the high bits; it probes linearly
/// within the stripe, wrapping, so every byte a key's operation reads or writes is guarded by one lock
/// word. A writer changes one cell per step under the stripe lock, with that cell's bytes as the undo
/// image (the write protocol of <c>Lane</c>); readers copy what they need and check that the stripe's
/// word did not change.
/// </remarks>
internal static class StripedLayout
{
    public const int StripeRegion = 1;
    public const int StripeCountParameter = 0;
    public const int CellsPerStripeParameter = 1;
    public const int CellStrideParameter = 2;
    public const int StripeStrideParameter = 3;

    public const int CellsOffset = 16;
    public const int KeyOffset = 8;

    public const uint Empty = 0;
    public const uint Occupied = 1;
    public const uint Removed = 2;

    /// <summary>The fewest cells per stripe when the stripe count is chosen; more where that many could overflow (<see cref="StripeOverflow"/>).</summary>
    public const int DefaultCellsPerStripe = 64;

    /// <summary>A stripe has at least this many cells.</summary>
    public const int MinCellsPerStripe = 16;

    /// <summary>The largest number of cells.</summary>
    public const long MaxCells = 1L << 31;

    /// <summary>
    /// The most cells a stripe has: a <see cref="KeyLock{TKey,TValue}"/> copies each stripe it locks whole, and a lookup
    /// may probe all of a stripe's cells, so a stripe stays small (at most a few MiB).
    /// </summary>
    public const long MaxCellsPerStripe = 1L << 16;

    /// <summary>The most bytes a stripe takes (what a KeyLock copies per stripe).</summary>
    public const long MaxStripeBytes = 64L << 20;

    public static int CellStride(int keySize, int valueSize) => (KeyOffset + keySize + valueSize + 7) & ~7;

    public static long StripeStride(long cellsPerStripe, int cellStride) => (CellsOffset + (cellsPerStripe * cellStride) + 63) & ~63L;

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
        if (perStripe > MaxCellsPerStripe || StripeStride(perStripe, cellStride) > MaxStripeBytes)
        {
            throw new ArgumentException(
                $"{stripes} stripes for {capacity} entries would make stripes of {perStripe} cells of {cellStride} bytes; a stripe has at most " +
                $"{MaxCellsPerStripe} cells and {MaxStripeBytes} bytes (a KeyLock copies it whole): use more stripes, or 0 to choose", nameof(stripeCount));
        }
        return (stripes, perStripe);
    }
}
