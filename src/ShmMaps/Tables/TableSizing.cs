using System.Numerics;

namespace ShmMaps.Tables;

/// <summary>How many cells an open-addressing table gets for a capacity and a <see cref="ShmOptions.MaxLoad"/>.</summary>
internal static class TableSizing
{
    /// <summary>
    /// The cell count for <paramref name="capacity"/> entries of <paramref name="cellBytes"/>-byte cells under
    /// <paramref name="maxLoad"/> (null: 0.2 while the table fits <see cref="ShmOptions.CacheSizedTableBytes"/>, else 0.5).
    /// </summary>
    public static long CellsFor(long capacity, double? maxLoad, int cellBytes, long maxCells, string kind)
    {
        if (maxLoad is { } chosen)
        {
            return CellsFor(capacity, chosen, maxCells, kind);
        }
        if (capacity / 0.2 > ShmOptions.CacheSizedTableBytes)
        {
            return CellsFor(capacity, 0.5, maxCells, kind); // a sparse table would not fit the cache anyway (and may exceed maxCells)
        }
        long sparse = CellsFor(capacity, 0.2, maxCells, kind);
        return sparse * cellBytes <= ShmOptions.CacheSizedTableBytes ? sparse : CellsFor(capacity, 0.5, maxCells, kind);
    }

    /// <summary>The smallest power of two of cells (at least 4) that holds <paramref name="capacity"/> entries at a load of at most <paramref name="maxLoad"/>.</summary>
    public static long CellsFor(long capacity, double maxLoad, long maxCells, string kind)
    {
        if (!(maxLoad is > 0.05 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLoad), maxLoad, "MaxLoad must be in (0.05, 1]");
        }
        double wanted = Math.Max(Math.Ceiling(capacity / maxLoad), 4);
        if (wanted > maxCells)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a {kind} has at most {maxCells} cells; at MaxLoad {maxLoad} that is {(long)(maxCells * maxLoad)} entries");
        }
        return (long)BitOperations.RoundUpToPowerOf2((ulong)wanted);
    }
}
