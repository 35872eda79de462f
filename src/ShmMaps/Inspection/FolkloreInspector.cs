using System.Buffers.Binary;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;
using ShmMaps.Folklore;
using ShmMaps.Keys;

namespace ShmMaps.Inspection;

/// <summary>Reads and checks FolkloreMap files from their raw entries and key store.</summary>
internal static unsafe class FolkloreInspector
{
    public static long Count(MapRegion region) => FolkloreTable.Open(region).CountPresent();

    /// <summary>The key store's use and waste, for <c>shm info</c>.</summary>
    public static IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        FolkloreTable table = FolkloreTable.Open(region);
        var use = Use(region, table);
        return new Dictionary<string, string>
        {
            ["cells"] = $"{table.Cells} of {table.EntryBytes} bytes ({table.KeyBits} bits name the key slot, {table.TagBits} hold a tag of its hash{(table.Keys.HasCellSlots ? "; key slots copied beside their cells" : "")})",
            ["probe distance"] = $"mean {use.MeanDistance:F3}, longest {use.LongestDistance} (cells from a key's home to its cell)",
            ["removed keys"] = $"{use.Removed} (their cells and bytes are reused if they are added again)",
            ["key slots"] = $"{table.Keys.SlotsUsed} of {table.Keys.SlotCount} used",
            ["key bytes"] = $"{table.Keys.BytesUsed} of {table.Keys.ByteLength} used",
            ["wasted key bytes"] = $"{use.WastedBytes} in {use.WastedSlots} slot(s) no entry names (lost races, dead writers)",
        };
    }

    public static IEnumerable<MapEntry> Dump(MapRegion region)
    {
        FolkloreTable table = FolkloreTable.Open(region);
        string valueType = ValueDecoder.TypeNames(region).Value;
        byte[] value = new byte[sizeof(ulong)];
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong entry = table.Read(cell);
            if (entry == 0 || FolkloreEntry.IsRemoved(entry, table.ValueBits))
            {
                continue;
            }
            string key = Utf8KeyBuffer.Decode(table.Keys.KeyOf(table.KeyIndex(entry)));
            BinaryPrimitives.WriteUInt64LittleEndian(value, FolkloreEntry.Value(entry, table.ValueBits));
            yield return new MapEntry(cell, key, ValueDecoder.Decode(valueType, value.AsSpan(0, table.EntryBytes / 2)));
        }
    }

    /// <summary>
    /// Verifies that every entry names a written slot whose bytes hash to its hash, that lookups reach it
    /// (no empty cell between its home and its cell), and that no key or slot appears twice; reports slots
    /// no entry names as reclaimable (or in flight, while their writer lives).
    /// </summary>
    public static void Check(MapRegion region, CheckReport report)
    {
        FolkloreTable table = FolkloreTable.Open(region);
        long slotsUsed = table.Keys.SlotsUsed;
        var named = new bool[slotsUsed];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long firstEmpty = FirstEmpty(table);
        long lastEmpty = firstEmpty;
        for (long step = 1; step <= table.Cells; step++)
        {
            long cell = (firstEmpty + step) & table.Mask;
            report.Examined++;
            ulong entry = table.Read(cell);
            if (entry == 0)
            {
                lastEmpty = cell;
                continue;
            }
            long slot = table.KeyIndex(entry);
            if ((ulong)slot >= (ulong)slotsUsed)
            {
                report.Add($"cell {cell}: names key slot {slot}, past the {slotsUsed} slots handed out");
                continue;
            }
            if (named[slot])
            {
                report.Add($"cell {cell}: key slot {slot} is named by a second entry");
                continue;
            }
            named[slot] = true;
            CheckNamedSlot(table, cell, entry, slot, lastEmpty, keys, report);
            if (table.IsCopied(entry))
            {
                CheckCopy(table, cell, slot, report);
            }
        }
        ReportUnnamed(region, table, named, report);
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
        KeySlot* copy = table.Keys.CellSlot(cell);
        KeySlot* named = table.Keys.Slot(slot);
        bool same;
        try
        {
            same = copy->Hash == named->Hash && table.Keys.KeyOfCell(cell).SequenceEqual(table.Keys.KeyOf(slot));
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

    private static void ReportUnnamed(MapRegion region, FolkloreTable table, bool[] named, CheckReport report)
    {
        var unnamed = Unnamed(region, table, named);
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
    private static (long Leftover, long LeftoverBytes, long InFlight) Unnamed(MapRegion region, FolkloreTable table, bool[] named)
    {
        long leftover = 0, leftoverBytes = 0, inFlight = 0;
        for (long slot = 0; slot < named.Length; slot++)
        {
            if (named[slot])
            {
                continue;
            }
            KeySlot* s = table.Keys.Slot(slot);
            bool writerLives = s->State != (uint)KeySlotState.Abandoned && (s->Owner & 1) != 0 && !region.Lanes.IsOwnerDead(s->Owner);
            if (writerLives)
            {
                inFlight++;
            }
            else
            {
                leftover++;
                leftoverBytes += Math.Min(s->Length, FolkloreLayout.MaxKeyBytes);
            }
        }
        return (leftover, leftoverBytes, inFlight);
    }

    private static (long Removed, long WastedSlots, long WastedBytes, double MeanDistance, long LongestDistance) Use(MapRegion region, FolkloreTable table)
    {
        long slotsUsed = table.Keys.SlotsUsed;
        var named = new bool[slotsUsed];
        long removed = 0, keys = 0, distances = 0, longest = 0;
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong entry = table.Read(cell);
            if (entry == 0)
            {
                continue;
            }
            long slot = table.KeyIndex(entry);
            if ((ulong)slot < (ulong)slotsUsed)
            {
                named[slot] = true;
                long distance = (cell - (long)(table.Keys.Slot(slot)->Hash & (ulong)table.Mask)) & table.Mask;
                keys++;
                distances += distance;
                longest = Math.Max(longest, distance);
            }
            if (FolkloreEntry.IsRemoved(entry, table.ValueBits))
            {
                removed++;
            }
        }
        var unnamed = Unnamed(region, table, named);
        return (removed, unnamed.Leftover, unnamed.LeftoverBytes, keys == 0 ? 0 : (double)distances / keys, longest);
    }

    private static long FirstEmpty(FolkloreTable table)
    {
        for (long cell = 0; cell < table.Cells; cell++)
        {
            if (table.Read(cell) == 0)
            {
                return cell;
            }
        }
        return table.Cells - 1; // a full table (never made by FolkloreMap): walk it all
    }
}
