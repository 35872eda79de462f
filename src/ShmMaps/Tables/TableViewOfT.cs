namespace ShmMaps.Tables;

/// <summary>
/// The tables one value of a state word names (the newest and, while migrating, the one being moved into it), and
/// the migration's bookkeeping once for the maps and their inspectors: which tables are live, which unit is moved,
/// where a key's entry is the map's.
/// </summary>
/// <typeparam name="TTable">The kind's table.</typeparam>
internal abstract unsafe class TableView<TTable>(ulong state, TTable newest, TTable? older) : TableView(state)
    where TTable : class, IMigratingTable
{
    /// <summary>The table writes go to.</summary>
    public TTable Newest => newest;

    /// <summary>While migrating, the table being copied into <see cref="Newest"/>; else null.</summary>
    public TTable? Older => older;

    /// <summary>The tables an entry of the map may be in: the older first.</summary>
    public IEnumerable<TTable> Live => older is null ? [newest] : [older, newest];

    /// <summary>Whether unit <paramref name="unit"/> of the older table is moved (acquire: what its mover wrote is seen after).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsMoved(long unit) => SharedMemory.ReadAcquire(older!.MovedFlag(unit)) != 0;

    /// <summary>Whether a key of <paramref name="hash"/> is the older table's now: its unit is not moved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool InOlder(ulong hash) => !IsMoved(older!.UnitOf(hash));

    /// <summary>
    /// Whether an entry of <paramref name="table"/> for a key of <paramref name="hash"/> is the map's: in the older table
    /// while its unit is not moved, in the newest once it is.
    /// </summary>
    public bool IsAuthoritative(TTable table, ulong hash) => older is null || (table == older) == InOlder(hash);

    /// <summary>The units of the older table moved so far (for <c>shm info</c>); 0 when not migrating.</summary>
    public long MovedUnits()
    {
        long moved = 0;
        for (long unit = 0; older is not null && unit < older.Units; unit++)
        {
            moved += IsMoved(unit) ? 1 : 0;
        }
        return moved;
    }
}
