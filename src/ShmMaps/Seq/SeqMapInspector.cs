namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers SeqMap files from their raw tables, in the middle of a migration too.</summary>
internal sealed unsafe class SeqMapInspector : IKindInspector
{
    public MapKind Kind => MapKind.SeqMap;

    public string ShortName => "seq";

    public bool TypedKeys => true;

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(KeyedMapAccess<,,>), typeof(SeqMap<,>).MakeGenericType(key!, value), key!, value);

    public long Count(MapRegion region) => region.Lanes.SumEntryCounts();

    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        Live live = Open(region);
        var details = new Dictionary<string, string>
        {
            ["table"] = $"generation {live.Newest.Generation} of at most {live.Layout.Tables - 1}: {live.Newest.CellCount:N0} cells",
            ["migration"] = live.Older is { } older
                ? $"table {older.Generation} ({older.CellCount:N0} cells) into table {live.Newest.Generation}: {live.View.MovedUnits():N0} of {older.StripeCount:N0} stripes moved"
                : "none",
        };
        TableRetirement.Describe(region, live.Layout.Directory, details);
        return details;
    }

    /// <summary>The writes the live tables' cells have completed: the sum of their lock words' versions.</summary>
    public long? Writes(MapRegion region)
    {
        long writes = 0;
        foreach (SeqTable table in Open(region).Tables)
        {
            for (long i = 0; i < table.CellCount; i++)
            {
                writes += LockWord.Version(SharedMemory.ReadAcquire((ulong*)table.Cells.Cell(i)));
            }
        }
        return writes;
    }

    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        Live live = Open(region);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        SeqCellLayout cell = live.Layout.Cell;
        byte[] buffer = new byte[cell.ProtectedLength];
        int keyStart = SeqCellLayout.KeyOffset - SeqCellLayout.StateOffset;
        foreach (SeqTable table in live.Tables)
        {
            for (long i = 0; i < table.CellCount; i++)
            {
                if (ReadKey(region, live, table, i, buffer) is not null)
                {
                    yield return new MapEntry(i, ValueDecoder.Decode(keyType, buffer.AsSpan(keyStart, cell.KeySize)),
                        ValueDecoder.Decode(valueType, buffer.AsSpan(keyStart + cell.KeySize, cell.ValueSize)));
                }
            }
        }
    }

    /// <summary>Walks every live table's cells and insert stripes; with <paramref name="recover"/>, finishes what dead writers left.</summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        Live live = Open(region);
        byte[] buffer = new byte[live.Layout.Cell.ProtectedLength];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long counted = 0;
        foreach (SeqTable table in live.Tables)
        {
            for (long i = 0; i < table.CellCount; i++)
            {
                report.Examined++;
                if (!LockSettler.Settle(region, (ulong*)table.Cells.Cell(i), $"table {table.Generation} cell {i}", report, recover))
                {
                    continue;
                }
                table.Cells.ReadProtected(i, buffer);
                uint state = BitConverter.ToUInt32(buffer, 0);
                if (state > SeqCellLayout.Moved || (state == SeqCellLayout.Moved && table != live.Older))
                {
                    report.Add($"table {table.Generation} cell {i}: state {state} is none of empty (0), occupied (1) and, in a table being migrated out of, moved (2)");
                    continue;
                }
                if (state == SeqCellLayout.Empty)
                {
                    continue;
                }
                ReadOnlySpan<byte> key = buffer.AsSpan(SeqCellLayout.KeyOffset - SeqCellLayout.StateOffset, live.Layout.Cell.KeySize);
                long home = table.Home(XxHash3.Hash(key, region.HashSeed));
                long distance = (i - home) & table.Mask;
                uint limit = *(uint*)(table.Cells.Cell(home) + SeqCellLayout.ProbeLimitOffset);
                if (distance > limit)
                {
                    report.Add($"table {table.Generation} cell {i}: key 0x{Convert.ToHexString(key)} is {distance} cells from its home {home}, past the home's probe limit {limit}: lookups cannot find it");
                }
                if (!live.View.IsAuthoritative(table, XxHash3.Hash(key, region.HashSeed)))
                {
                    continue; // a copy a mover made before it was killed, or the old copy of a moved key
                }
                counted++;
                if (!keys.Add(Convert.ToHexString(key)))
                {
                    report.Add($"table {table.Generation} cell {i}: key 0x{Convert.ToHexString(key)} is stored twice");
                }
            }
            for (long s = 0; s < table.StripeCount; s++)
            {
                report.Examined++;
                LockSettler.Settle(region, table.Stripes + s, $"table {table.Generation} insert stripe {s}", report, recover);
                if (SharedMemory.ReadAcquire(table.Moved + s) > 1)
                {
                    report.Add($"table {table.Generation} stripe {s}: moved flag {table.Moved[s]} is neither 0 nor 1");
                }
            }
        }
        long laneCount = region.Lanes.SumEntryCounts();
        if (laneCount != counted)
        {
            report.Add($"the lanes count {laneCount} entries but the tables hold {counted}{(region.Lanes.AnyLaneAlive() ? " (writers were active during the check)" : "")}");
        }
    }

    /// <summary>Reads cell <paramref name="index"/>'s protected bytes; its key hash if it holds an entry that counts, else null.</summary>
    private static ulong? ReadKey(MapRegion region, Live live, SeqTable table, long index, byte[] buffer)
    {
        table.Cells.ReadProtected(index, buffer);
        uint state = BitConverter.ToUInt32(buffer, 0);
        if (state != SeqCellLayout.Occupied && !(state == SeqCellLayout.Moved && table == live.Older))
        {
            return null;
        }
        ulong hash = XxHash3.Hash(buffer.AsSpan(SeqCellLayout.KeyOffset - SeqCellLayout.StateOffset, live.Layout.Cell.KeySize), region.HashSeed);
        return live.View.IsAuthoritative(table, hash) ? hash : null;
    }

    private static Live Open(MapRegion region)
    {
        SeqMapLayout layout = SeqMapLayout.Open(region);
        ulong state = SharedMemory.ReadAcquire(layout.Directory.State);
        layout.EnsureReserved(state);
        return new Live(layout, layout.View(state));
    }

    /// <summary>The tables a SeqMap file reads from now.</summary>
    private sealed record Live(SeqMapLayout Layout, SeqView View)
    {
        public SeqTable Newest => View.Newest;

        public SeqTable? Older => View.Older;

        public IEnumerable<SeqTable> Tables => View.Live;
    }
}
