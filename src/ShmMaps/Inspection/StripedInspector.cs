using ShmMaps.Core.Hashing;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;
using ShmMaps.Striped;

namespace ShmMaps.Inspection;

/// <summary>Reads, checks and recovers StripedMap files from their raw stripes.</summary>
internal static unsafe class StripedInspector
{
    /// <summary>The stripes and which of them are locked, by which process, for <c>shm info</c>.</summary>
    public static IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        StripeTable table = StripeTable.Open(region);
        var held = new List<string>();
        long locked = 0;
        for (long s = 0; s < table.Stripes; s++)
        {
            ulong word = SharedMemory.ReadAcquire((ulong*)table.Stripe(s));
            if (!LockWord.IsLocked(word))
            {
                continue;
            }
            locked++;
            if (held.Count < 10)
            {
                int lane = LockWord.OwnerLane(word);
                string state = region.Lanes.IsOwnerDead(word) ? "dead" : "live";
                held.Add($"stripe {s} by pid {region.Lanes.Record(lane)->Pid} ({state}, lane {lane})");
            }
        }
        return new Dictionary<string, string>
        {
            ["stripes"] = $"{table.Stripes} of {table.CellsPerStripe} cells ({table.CellStride} bytes each)",
            ["stripes locked"] = locked == 0 ? "none" : $"{locked}: {string.Join(", ", held)}{(locked > held.Count ? ", ..." : "")}",
        };
    }

    /// <summary>The writes the stripes have completed: the sum of their lock words' versions (each release adds one).</summary>
    public static long? Writes(MapRegion region)
    {
        StripeTable table = StripeTable.Open(region);
        long writes = 0;
        for (long s = 0; s < table.Stripes; s++)
        {
            writes += LockWord.Version(SharedMemory.ReadAcquire((ulong*)table.Stripe(s)));
        }
        return writes;
    }

    public static IEnumerable<MapEntry> Dump(MapRegion region)
    {
        StripeTable table = StripeTable.Open(region);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        byte[] cell = new byte[table.CellStride];
        for (long s = 0; s < table.Stripes; s++)
        {
            for (long i = 0; i < table.CellsPerStripe; i++)
            {
                table.Copy(s, i, cell);
                if (BitConverter.ToUInt32(cell, 0) == StripedLayout.Occupied)
                {
                    yield return new MapEntry((s * table.CellsPerStripe) + i,
                        ValueDecoder.Decode(keyType, cell.AsSpan(StripedLayout.KeyOffset, table.KeySize)),
                        ValueDecoder.Decode(valueType, cell.AsSpan(StripedLayout.KeyOffset + table.KeySize, table.ValueSize)));
                }
            }
        }
    }

    /// <summary>
    /// Settles every stripe's lock (reporting, or with <paramref name="recover"/> recovering, dead holders), then
    /// checks every cell: a valid state, each key in its own stripe and reachable from its home (no empty cell
    /// between), no key twice, and the lanes' count equal to the occupied cells.
    /// </summary>
    public static void Check(MapRegion region, CheckReport report, bool recover)
    {
        StripeTable table = StripeTable.Open(region);
        byte[] cell = new byte[table.CellStride];
        long occupied = 0;
        for (long s = 0; s < table.Stripes; s++)
        {
            report.Examined++;
            if (!LockSettler.Settle(region, (ulong*)table.Stripe(s), $"stripe {s}", report, recover))
            {
                continue;
            }
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (long i = 0; i < table.CellsPerStripe; i++)
            {
                report.Examined++;
                table.Copy(s, i, cell);
                uint state = BitConverter.ToUInt32(cell, 0);
                if (state > StripedLayout.Removed)
                {
                    report.Add($"stripe {s} cell {i}: state {state} is not empty (0), occupied (1) or removed (2)");
                    continue;
                }
                if (state != StripedLayout.Occupied)
                {
                    continue;
                }
                occupied++;
                ReadOnlySpan<byte> key = cell.AsSpan(StripedLayout.KeyOffset, table.KeySize);
                CheckKey(table, s, i, key, report);
                if (!keys.Add(Convert.ToHexString(key)))
                {
                    report.Add($"stripe {s} cell {i}: key 0x{Convert.ToHexString(key)} is stored twice");
                }
            }
        }
        long counted = region.Lanes.SumEntryCounts();
        if (counted != occupied)
        {
            report.Add($"the lanes count {counted} entries but {occupied} cells are occupied{(region.Lanes.AnyLaneAlive() ? " (writers were active during the check)" : "")}");
        }
    }

    private static void CheckKey(StripeTable table, long stripe, long index, ReadOnlySpan<byte> key, CheckReport report)
    {
        ulong hash = XxHash3.Hash(key, table.Seed);
        long home = (long)(hash >> 32) & (table.CellsPerStripe - 1);
        if ((long)(hash & (ulong)(table.Stripes - 1)) != stripe)
        {
            report.Add($"stripe {stripe} cell {index}: key 0x{Convert.ToHexString(key)} belongs to stripe {(long)(hash & (ulong)(table.Stripes - 1))}");
            return;
        }
        for (long i = home; i != index; i = (i + 1) & (table.CellsPerStripe - 1))
        {
            if (table.State(stripe, i) == StripedLayout.Empty)
            {
                report.Add($"stripe {stripe} cell {index}: key 0x{Convert.ToHexString(key)} lies past the empty cell {i} after its home {home}: lookups cannot find it");
                return;
            }
        }
    }

}
