namespace ShmMaps.Folklore;

/// <summary>The tables one value of a folklore map's state word names, as this process maps them.</summary>
internal sealed class FolkloreView(ulong state, FolkloreTable newest, FolkloreTable? older) : TableView<FolkloreTable>(state, newest, older)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static FolkloreView Closed(FolkloreTable last) => new(ulong.MaxValue, last, last);

    /// <summary>The keys present (not removed), each counted in the table where it is the map's: a scan of every cell.</summary>
    public unsafe long CountPresent()
    {
        if (Older is null)
        {
            return Newest.CountPresent();
        }
        long count = 0;
        foreach (FolkloreTable table in Live)
        {
            for (long cell = 0; cell < table.Cells; cell++)
            {
                ulong entry = table.Read(cell);
                if (table.IsEmpty(entry) || FolkloreEntry.IsRemoved(entry, table.ValueBits))
                {
                    continue;
                }
                KeySlot* slot = table.Keys.SlotOrNull(table.KeyIndex(entry), table.SlotLimit);
                count += slot is not null && IsAuthoritative(table, slot->Hash) ? 1 : 0;
            }
        }
        return count;
    }
}
