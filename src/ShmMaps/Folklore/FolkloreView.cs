using ShmMaps.Tables;

namespace ShmMaps.Folklore;

/// <summary>The tables one value of a folklore map's state word names, as this process maps them.</summary>
internal sealed class FolkloreView(ulong state, FolkloreTable newest, FolkloreTable? older) : TableView(state)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static FolkloreView Closed(FolkloreTable last) => new(ulong.MaxValue, last, last);

    /// <summary>The table writes go to.</summary>
    public FolkloreTable Newest => newest;

    /// <summary>While migrating, the table being copied into <see cref="Newest"/>; else null.</summary>
    public FolkloreTable? Older => older;

    /// <summary>
    /// Whether an entry of <paramref name="table"/> for a key of <paramref name="hash"/> is the map's: in the old table
    /// while its block is not moved, in the new one once it is.
    /// </summary>
    public unsafe bool IsAuthoritative(FolkloreTable table, ulong hash)
    {
        if (older is null)
        {
            return true;
        }
        bool moved = Core.Memory.SharedMemory.ReadAcquire(older.Moved + older.BlockOf((long)(hash & (ulong)older.Mask))) != 0;
        return table == older ? !moved : moved;
    }

    /// <summary>The keys present (not removed), each counted in the table where it is the map's: a scan of every cell.</summary>
    public unsafe long CountPresent()
    {
        if (older is null)
        {
            return newest.CountPresent();
        }
        long count = 0;
        foreach (FolkloreTable table in new[] { older, newest })
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
