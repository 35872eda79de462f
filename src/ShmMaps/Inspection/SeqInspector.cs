using ShmMaps.Core.Hashing;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;
using ShmMaps.Seq;

namespace ShmMaps.Inspection;

/// <summary>Reads, checks and recovers SeqArray, SeqVec and SeqMap files from their raw cells.</summary>
internal static unsafe class SeqInspector
{
    public static long Count(MapRegion region) => region.Kind switch
    {
        MapKind.SeqArray => SeqArrayLayout.Open(region).Length,
        MapKind.SeqVec => SeqVecLayout.Open(region).Count,
        _ => region.Lanes.SumEntryCounts(),
    };

    /// <summary>The writes the cells have completed: the sum of their lock words' versions (each write adds one).</summary>
    public static long? Writes(MapRegion region)
    {
        (SeqCells cells, long used, _) = Walkable(region);
        long writes = 0;
        for (long i = 0; i < used; i++)
        {
            writes += LockWord.Version(SharedMemory.ReadAcquire((ulong*)cells.Cell(i)));
        }
        return writes;
    }

    public static IEnumerable<MapEntry> Dump(MapRegion region)
    {
        (SeqCells cells, long used, _) = Walkable(region);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        byte[] buffer = new byte[cells.Layout.ProtectedLength];
        for (long i = 0; i < used; i++)
        {
            if (ReadEntry(region, cells, i, buffer, keyType, valueType) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Walks every cell (and insert stripe); with <paramref name="recover"/>, finishes what dead writers left.</summary>
    public static void Check(MapRegion region, CheckReport report, bool recover)
    {
        (SeqCells cells, long used, SeqMapLayout? map) = Walkable(region);
        bool isMap = map is not null;
        long mask = cells.Count - 1;
        byte[] buffer = new byte[cells.Layout.ProtectedLength];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long occupied = 0;
        for (long i = 0; i < used; i++)
        {
            report.Examined++;
            byte* cell = cells.Cell(i);
            if (!LockSettler.Settle(region, (ulong*)cell, $"cell {i}", report, recover))
            {
                continue;
            }
            cells.ReadProtected(i, buffer);
            uint state = BitConverter.ToUInt32(buffer, 0);
            if (state > SeqCellLayout.Occupied)
            {
                report.Add($"cell {i}: state {state} is neither empty (0) nor occupied (1)");
                continue;
            }
            if (!isMap || state != SeqCellLayout.Occupied)
            {
                continue;
            }
            occupied++;
            ReadOnlySpan<byte> key = buffer.AsSpan(SeqCellLayout.KeyOffset - SeqCellLayout.StateOffset, cells.Layout.KeySize);
            long home = (long)(XxHash3.Hash(key, region.HashSeed) & (ulong)mask);
            long distance = (i - home) & mask;
            uint limit = *(uint*)(cells.Cell(home) + SeqCellLayout.ProbeLimitOffset);
            if (distance > limit)
            {
                report.Add($"cell {i}: key 0x{Convert.ToHexString(key)} is {distance} cells from its home {home}, past the home's probe limit {limit}: lookups cannot find it");
            }
            if (!keys.Add(Convert.ToHexString(key)))
            {
                report.Add($"cell {i}: key 0x{Convert.ToHexString(key)} is stored twice");
            }
        }
        if (map is not null)
        {
            CheckStripes(region, map, report, recover);
            long counted = region.Lanes.SumEntryCounts();
            if (counted != occupied)
            {
                report.Add($"the lanes count {counted} entries but {occupied} cells are occupied{(region.Lanes.AnyLaneAlive() ? " (writers were active during the check)" : "")}");
            }
        }
    }

    private static void CheckStripes(MapRegion region, SeqMapLayout layout, CheckReport report, bool recover)
    {
        for (long s = 0; s < layout.StripeCount; s++)
        {
            report.Examined++;
            LockSettler.Settle(region, layout.Stripes + s, $"insert stripe {s}", report, recover);
        }
    }

    private static MapEntry? ReadEntry(MapRegion region, SeqCells cells, long index, byte[] buffer, string keyType, string valueType)
    {
        cells.ReadProtected(index, buffer);
        if (BitConverter.ToUInt32(buffer, 0) != SeqCellLayout.Occupied && region.Kind != MapKind.SeqArray)
        {
            return null;
        }
        int keyStart = SeqCellLayout.KeyOffset - SeqCellLayout.StateOffset;
        string? key = region.Kind == MapKind.SeqMap ? ValueDecoder.Decode(keyType, buffer.AsSpan(keyStart, cells.Layout.KeySize)) : null;
        string value = ValueDecoder.Decode(valueType, buffer.AsSpan(keyStart + cells.Layout.KeySize, cells.Layout.ValueSize));
        return new MapEntry(index, key, value);
    }

    /// <summary>The cells of a Seq file, how many of them are in use, and a map's layout (its insert stripes).</summary>
    private static (SeqCells Cells, long Used, SeqMapLayout? Map) Walkable(MapRegion region)
    {
        switch (region.Kind)
        {
            case MapKind.SeqArray:
                SeqArrayLayout array = SeqArrayLayout.Open(region);
                return (array.Cells, array.Length, null);
            case MapKind.SeqVec:
                SeqVecLayout vector = SeqVecLayout.Open(region);
                return (vector.Cells, vector.Count, null);
            default:
                SeqMapLayout map = SeqMapLayout.Open(region);
                return (map.Cells, map.Cells.Count, map);
        }
    }
}
