namespace ShmMaps.Striped;

/// <summary>Reads, checks and recovers StripedMap files from their raw stripes, in the middle of a migration too.</summary>
internal sealed unsafe class StripedInspector : IKindInspector
{
    public MapKind Kind => MapKind.StripedMap;

    public string ShortName => "striped";

    public bool TypedKeys => true;

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(KeyedMapAccess<,,>), typeof(StripedMap<,>).MakeGenericType(key!, value), key!, value);

    /// <summary>The tables, any migration, and which stripes are locked, by which process, for <c>shm info</c>.</summary>
    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        StripedView view = Open(region, out StripedLayout layout);
        StripeTable newest = view.Newest;
        var held = new List<string>();
        long locked = 0;
        foreach (StripeTable table in view.Live)
        {
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
                    held.Add($"table {table.Generation} stripe {s} by pid {region.Lanes.Record(lane)->Pid} ({state}, lane {lane})");
                }
            }
        }
        var details = new Dictionary<string, string>
        {
            ["stripes"] = $"{newest.Stripes:N0} of {newest.CellsPerStripe} cells ({newest.CellStride} bytes each)",
            ["table"] = $"generation {newest.Generation} of at most {layout.Tables - 1}",
            ["migration"] = view.Older is { } older
                ? $"table {older.Generation} ({older.Stripes:N0} stripes) into table {newest.Generation}: {view.MovedUnits():N0} of {older.Stripes:N0} stripes moved"
                : "none",
            ["stripes locked"] = locked == 0 ? "none" : $"{locked}: {string.Join(", ", held)}{(locked > held.Count ? ", ..." : "")}",
        };
        TableRetirement.Describe(region, layout.Directory, details);
        return details;
    }

    /// <summary>The writes the live tables' stripes have completed: the sum of their lock words' versions (each release adds one).</summary>
    public long Count(MapRegion region) => region.Lanes.SumEntryCounts();

    public long? Writes(MapRegion region)
    {
        long writes = 0;
        foreach (StripeTable table in Open(region, out _).Live)
        {
            for (long s = 0; s < table.Stripes; s++)
            {
                writes += LockWord.Version(SharedMemory.ReadAcquire((ulong*)table.Stripe(s)));
            }
        }
        return writes;
    }

    /// <summary>The entries that are the map's: in the old table's unmoved stripes and the new table's moved ones.</summary>
    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        StripedView view = Open(region, out _);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        foreach (StripeTable table in view.Live)
        {
            byte[] cell = new byte[table.CellStride];
            for (long s = 0; s < table.Stripes; s++)
            {
                if (!IsAuthoritative(view, table, s))
                {
                    continue;
                }
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
    }

    /// <summary>
    /// Settles every live stripe's lock (reporting, or with <paramref name="recover"/> recovering, dead holders), then
    /// checks every cell: a valid state, each key in its own stripe and reachable from its home (no empty cell
    /// between), no key twice among the entries that are the map's, moved flags 0 or 1 (and 0 in the newest table),
    /// and the lanes' count equal to those entries.
    /// </summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        StripedView view = Open(region, out _);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long counted = 0;
        foreach (StripeTable table in view.Live)
        {
            byte[] cell = new byte[table.CellStride];
            for (long s = 0; s < table.Stripes; s++)
            {
                report.Examined++;
                string where = $"table {table.Generation} stripe {s}";
                if (!LockSettler.Settle(region, (ulong*)table.Stripe(s), where, report, recover))
                {
                    continue;
                }
                ulong moved = SharedMemory.ReadAcquire(table.Moved(s));
                if (moved > 1 || (moved != 0 && table == view.Newest))
                {
                    report.Add($"{where}: moved flag {moved} is {(moved > 1 ? "neither 0 nor 1" : "set in the newest table")}");
                }
                bool authoritative = IsAuthoritative(view, table, s);
                bool versioned = false;
                for (long i = 0; i < table.CellsPerStripe; i++)
                {
                    report.Examined++;
                    table.Copy(s, i, cell);
                    uint state = BitConverter.ToUInt32(cell, 0);
                    if (state > StripedLayout.Removed)
                    {
                        report.Add($"{where} cell {i}: state {state} is not empty (0), occupied (1) or removed (2)");
                        continue;
                    }
                    if (state != StripedLayout.Occupied || !authoritative)
                    {
                        continue; // not the map's: a copy a killed mover made, or the old copy of a moved stripe
                    }
                    counted++;
                    if (!versioned && SharedMemory.ReadAcquire((ulong*)table.Stripe(s)) == 0)
                    {
                        // A reader whose pages turn to zeros mid-read (a table its handle moved past) must see the word change.
                        report.Add($"{where}: holds keys, but its word was never versioned (0)");
                    }
                    versioned = true;
                    ReadOnlySpan<byte> key = cell.AsSpan(StripedLayout.KeyOffset, table.KeySize);
                    CheckKey(table, s, i, key, report);
                    if (!keys.Add(Convert.ToHexString(key)))
                    {
                        report.Add($"{where} cell {i}: key 0x{Convert.ToHexString(key)} is stored twice");
                    }
                }
            }
        }
        long laneCount = region.Lanes.SumEntryCounts();
        if (laneCount != counted)
        {
            report.Add($"the lanes count {laneCount} entries but the tables hold {counted}{(region.Lanes.AnyLaneAlive() ? " (writers were active during the check)" : "")}");
        }
    }

    private static StripedView Open(MapRegion region, out StripedLayout layout)
    {
        layout = StripedLayout.Open(region);
        return layout.View(layout.Directory.ReadState());
    }

    /// <summary>
    /// Whether stripe <paramref name="stripe"/> of <paramref name="table"/> holds the map's entries: an unmoved old stripe,
    /// or a new one whose old stripe is moved (a stripe's index is the low bits of its keys' hashes, so it names its unit).
    /// </summary>
    private static bool IsAuthoritative(StripedView view, StripeTable table, long stripe) => view.IsAuthoritative(table, (ulong)stripe);

    private static void CheckKey(StripeTable table, long stripe, long index, ReadOnlySpan<byte> key, CheckReport report)
    {
        ulong hash = XxHash3.Hash(key, table.Seed);
        long home = (long)(hash >> 32) & (table.CellsPerStripe - 1);
        if (table.StripeIndexOf(hash) != stripe)
        {
            report.Add($"table {table.Generation} stripe {stripe} cell {index}: key 0x{Convert.ToHexString(key)} belongs to stripe {table.StripeIndexOf(hash)}");
            return;
        }
        for (long i = home; i != index; i = (i + 1) & (table.CellsPerStripe - 1))
        {
            if (table.State(stripe, i) == StripedLayout.Empty)
            {
                report.Add($"table {table.Generation} stripe {stripe} cell {index}: key 0x{Convert.ToHexString(key)} lies past the empty cell {i} after its home {home}: lookups cannot find it");
                return;
            }
        }
    }
}
