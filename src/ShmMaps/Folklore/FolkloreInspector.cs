using System.Buffers.Binary;

namespace ShmMaps.Folklore;

/// <summary>Reads and checks FolkloreMap files from their raw entries and key store.</summary>
internal sealed unsafe class FolkloreInspector : IKindInspector
{
    public MapKind Kind => MapKind.FolkloreMap;

    public string ShortName => "folklore";

    public bool TypedKeys => false;

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(KeyedMapAccess<,,>), typeof(FolkloreMap<>).MakeGenericType(value), typeof(string), value);

    public long Count(MapRegion region) => Open(region, out _).CountPresent();

    /// <summary>The tables, any migration, and the key store's use and waste, for <c>shm info</c>.</summary>
    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        FolkloreView view = Open(region, out FolkloreLayout layout);
        FolkloreTable table = view.Newest;
        var use = Use(region, view);
        var details = new Dictionary<string, string>
        {
            ["cells"] = $"{table.Cells} of {table.EntryBytes} bytes ({table.KeyBits} bits name the key slot, {table.TagBits} hold a tag of its hash{(table.HasCellSlots ? "; key slots copied beside their cells" : "")})",
            ["table"] = layout.Grows ? $"generation {table.Generation} of at most {layout.Tables - 1}" : "one, never grows",
            ["migration"] = view.Older is { } older
                ? $"table {older.Generation} ({older.Cells:N0} cells) into table {table.Generation}: {view.MovedUnits():N0} of {older.Blocks:N0} blocks moved"
                : "none",
            ["probe distance"] = $"mean {use.MeanDistance:F3}, longest {use.LongestDistance} (cells from a key's home to its cell)",
            ["removed keys"] = $"{use.Removed} (their cells and bytes are reused if they are added again)",
            ["key slots"] = $"{layout.Keys.SlotsUsed} of {table.SlotLimit} used (at most {layout.Keys.SlotCount}; a key of more than {KeySlot.InlineBytes} bytes takes one per 64)",
            ["wasted key slots"] = $"{use.WastedSlots} no entry names, holding {use.WastedBytes} key bytes (lost races, dead writers, the ends of tables' slots)",
        };
        TableRetirement.Describe(region, layout.Directory, details);
        return details;
    }

    /// <summary>The entries that are the map's: in the old table's unmoved blocks and the new table's moved ones.</summary>
    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        FolkloreView view = Open(region, out FolkloreLayout layout);
        string valueType = ValueDecoder.TypeNames(region).Value;
        byte[] value = new byte[sizeof(ulong)];
        foreach (FolkloreTable table in view.Live)
        {
            for (long cell = 0; cell < table.Cells; cell++)
            {
                ulong entry = table.Read(cell);
                if (table.IsEmpty(entry) || FolkloreEntry.IsRemoved(entry, table.ValueBits) || !IsAuthoritative(view, table, entry))
                {
                    continue;
                }
                string key = Utf8KeyBuffer.Decode(layout.Keys.KeyOf(table.KeyIndex(entry)));
                BinaryPrimitives.WriteUInt64LittleEndian(value, FolkloreEntry.Value(entry, table.ValueBits));
                yield return new MapEntry(cell, key, ValueDecoder.Decode(valueType, value.AsSpan(0, table.EntryBytes / 2)));
            }
        }
    }

    /// <summary>
    /// Verifies, in each table in use, that every entry names a written slot whose bytes hash to its hash, that lookups
    /// reach it (no empty cell between its home and its cell), and that no key or slot appears twice among the entries
    /// that are the map's; that only a table being migrated out of has frozen entries and moved flags; reports slots no
    /// entry names as reclaimable (or in flight, while their writer lives).
    /// </summary>
    /// <remarks>Single-CAS writes leave no lock to recover: check and recover are the same walk.</remarks>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        FolkloreView view = Open(region, out FolkloreLayout layout);
        long slotsUsed = layout.Keys.SlotsUsed;
        var named = new bool[slotsUsed];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (FolkloreTable table in view.Live)
        {
            CheckTable(view, table, slotsUsed, named, keys, report);
        }
        ReportUnnamed(region, layout.Keys, named, report);
    }

    private static void CheckTable(FolkloreView view, FolkloreTable table, long slotsUsed, bool[] named, HashSet<string> keys, CheckReport report)
    {
        string where = view.Older is null ? "" : $"table {table.Generation} ";
        bool migratingOut = table == view.Older;
        if (table.Moved != null)
        {
            for (long b = 0; b < table.Blocks; b++)
            {
                ulong moved = SharedMemory.ReadAcquire(table.Moved + b);
                if (moved > 1 || (moved != 0 && !migratingOut))
                {
                    report.Add($"{where}block {b}: moved flag {moved} is {(moved > 1 ? "neither 0 nor 1" : "set in the newest table")}");
                }
            }
        }
        long firstEmpty = FirstEmpty(table);
        long lastEmpty = firstEmpty;
        for (long step = 1; step <= table.Cells; step++)
        {
            long cell = (firstEmpty + step) & table.Mask;
            report.Examined++;
            ulong entry = table.Read(cell);
            if ((entry & table.FrozenBit) != 0 && !migratingOut)
            {
                report.Add($"{where}cell {cell}: frozen, but no migration out of this table is under way");
            }
            if (table.IsEmpty(entry))
            {
                lastEmpty = cell;
                continue;
            }
            long slot = table.KeyIndex(entry);
            if ((ulong)slot >= (ulong)slotsUsed || slot >= table.SlotLimit)
            {
                report.Add($"{where}cell {cell}: names key slot {slot}, past the {Math.Min(slotsUsed, table.SlotLimit)} slots handed out to it");
                continue;
            }
            if (!IsAuthoritative(view, table, entry))
            {
                continue; // the old copy of a moved key, or a copy a killed mover made: not the map's entry
            }
            if (named[slot])
            {
                report.Add($"{where}cell {cell}: key slot {slot} is named by a second entry");
                continue;
            }
            MarkRun(table.Keys, named, slot);
            CheckNamedSlot(table, cell, entry, slot, lastEmpty, keys, report);
            if (table.IsCopied(entry))
            {
                CheckCopy(table, cell, slot, report);
            }
        }
    }

    private static FolkloreView Open(MapRegion region, out FolkloreLayout layout)
    {
        layout = FolkloreLayout.Open(region);
        return layout.View(layout.Directory.ReadState());
    }

    /// <summary>Whether <paramref name="entry"/> (not empty) of <paramref name="table"/> is the map's entry for its key (a slot past the table's limit: counted as the map's, for check to report).</summary>
    private static bool IsAuthoritative(FolkloreView view, FolkloreTable table, ulong entry)
    {
        KeySlot* slot = table.Keys.SlotOrNull(table.KeyIndex(entry), table.SlotLimit);
        return slot is null || view.IsAuthoritative(table, slot->Hash);
    }

    private static void CheckNamedSlot(FolkloreTable table, long cell, ulong entry, long slot, long lastEmpty, HashSet<string> keys, CheckReport report)
    {
        KeySlot* s = table.Keys.Slot(slot);
        if (s->State != (uint)KeySlotState.Written)
        {
            report.Add($"cell {cell}: key slot {slot} is named but its state is {(KeySlotState)s->State}, not Written");
            return;
        }
        ReadOnlySpan<byte> key;
        try
        {
            key = table.Keys.KeyOf(slot);
        }
        catch (CorruptMapException e)
        {
            report.Add($"cell {cell}: {e.Message}");
            return;
        }
        ulong hash = XxHash3.Hash(key, table.Seed);
        if (hash != s->Hash)
        {
            report.Add($"cell {cell}: key slot {slot} records hash 0x{s->Hash:x16} but its bytes hash to 0x{hash:x16}");
        }
        if (!table.TagMatches(entry, hash))
        {
            report.Add($"cell {cell}: its entry's tag is not that of key '{Utf8KeyBuffer.Decode(key)}' (hash 0x{hash:x16}): lookups pass it by");
        }
        long home = (long)(hash & (ulong)table.Mask);
        long distance = (cell - home) & table.Mask;
        if (distance >= ((cell - lastEmpty) & table.Mask))
        {
            report.Add($"cell {cell}: key '{Utf8KeyBuffer.Decode(key)}' has its home at {home}, behind the empty cell {lastEmpty}: lookups cannot find it");
        }
        if (!keys.Add(Convert.ToHexString(key)))
        {
            report.Add($"cell {cell}: key '{Utf8KeyBuffer.Decode(key)}' is stored twice");
        }
    }

    /// <summary>The copy beside <paramref name="cell"/> must be its key slot's: lookups read the copy.</summary>
    private static void CheckCopy(FolkloreTable table, long cell, long slot, CheckReport report)
    {
        KeySlot* copy = table.CellSlots + cell;
        KeySlot* named = table.Keys.Slot(slot);
        bool same;
        try
        {
            same = copy->Hash == named->Hash && table.Keys.KeyOf(copy).SequenceEqual(table.Keys.KeyOf(slot));
        }
        catch (CorruptMapException)
        {
            same = false;
        }
        if (!same)
        {
            report.Add($"cell {cell}: the copy of key slot {slot} beside the cell differs from the slot; lookups read the copy");
        }
    }

    private static void ReportUnnamed(MapRegion region, KeyStore keys, bool[] named, CheckReport report)
    {
        var unnamed = Unnamed(region, keys, named);
        if (unnamed.Leftover > 0)
        {
            report.Note($"{unnamed.Leftover} key slot(s) with {unnamed.LeftoverBytes} key bytes are named by no entry (lost races or writers killed before their CAS): reclaimable, never visible to lookups");
        }
        if (unnamed.InFlight > 0)
        {
            report.Note($"{unnamed.InFlight} key slot(s) are being added by live writers");
        }
    }

    /// <summary>
    /// The slots no entry names, split into leftovers (abandoned, or written by a writer that is gone) with their
    /// bytes, and those a live writer is still adding.
    /// </summary>
    private static (long Leftover, long LeftoverBytes, long InFlight) Unnamed(MapRegion region, KeyStore keys, bool[] named)
    {
        long leftover = 0, leftoverBytes = 0, inFlight = 0;
        for (long slot = 0; slot < named.Length; slot++)
        {
            if (named[slot])
            {
                continue;
            }
            KeySlot* s = keys.Slot(slot);
            bool writerLives = s->State != (uint)KeySlotState.Abandoned && (s->Owner & 1) != 0 && !region.Lanes.IsOwnerDead(s->Owner);
            if (writerLives)
            {
                inFlight++;
            }
            else
            {
                leftover++;
                leftoverBytes += s->State == (uint)KeySlotState.Written && s->Length <= KeySlot.InlineBytes ? s->Length : 0;
            }
        }
        return (leftover, leftoverBytes, inFlight);
    }

    /// <summary>Marks the slots of the key in slot <paramref name="slot"/> named: its own, and those its bytes run through.</summary>
    private static void MarkRun(KeyStore keys, bool[] named, long slot)
    {
        int run = KeyStore.SlotsFor((int)Math.Min(keys.Slot(slot)->Length, FolkloreLayout.MaxKeyBytes));
        for (long i = slot; i < Math.Min(slot + run, named.Length); i++)
        {
            named[i] = true;
        }
    }

    /// <summary>Removed keys, wasted slots and probe distances over the entries that are the map's.</summary>
    private static (long Removed, long WastedSlots, long WastedBytes, double MeanDistance, long LongestDistance) Use(MapRegion region, FolkloreView view)
    {
        KeyStore keyStore = view.Newest.Keys;
        long slotsUsed = keyStore.SlotsUsed;
        var named = new bool[slotsUsed];
        long removed = 0, keys = 0, distances = 0, longest = 0;
        foreach (FolkloreTable table in view.Live)
        {
            for (long cell = 0; cell < table.Cells; cell++)
            {
                ulong entry = table.Read(cell);
                if (table.IsEmpty(entry) || !IsAuthoritative(view, table, entry))
                {
                    continue;
                }
                long slot = table.KeyIndex(entry);
                if ((ulong)slot < (ulong)slotsUsed)
                {
                    MarkRun(keyStore, named, slot);
                    long distance = (cell - (long)(keyStore.Slot(slot)->Hash & (ulong)table.Mask)) & table.Mask;
                    keys++;
                    distances += distance;
                    longest = Math.Max(longest, distance);
                }
                if (FolkloreEntry.IsRemoved(entry, table.ValueBits))
                {
                    removed++;
                }
            }
        }
        var unnamed = Unnamed(region, keyStore, named);
        return (removed, unnamed.Leftover, unnamed.LeftoverBytes, keys == 0 ? 0 : (double)distances / keys, longest);
    }

    private static long FirstEmpty(FolkloreTable table)
    {
        for (long cell = 0; cell < table.Cells; cell++)
        {
            if (table.IsEmpty(table.Read(cell)))
            {
                return cell;
            }
        }
        return table.Cells - 1; // a full table (never made by FolkloreMap): walk it all
    }
}
