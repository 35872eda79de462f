namespace ShmMaps.Tables;

/// <summary>
/// The writers' share of a migration, one protocol for every kind that grows by doubling its table: a writer moves
/// the old table's unit (stripe, block) its key needs, then one more by ticket; once the tickets are taken, the first
/// unit this process has not seen moved; when every unit is moved, it ends the migration. Starting one reserves the
/// next table before publishing it. What a unit is and how it moves is the kind's.
/// </summary>
/// <remarks>
/// Only a writer whose own key is in a unit waits for that unit's lock. The units a writer moves for others are tried
/// without waiting: one held by a live writer (a <c>KeyLock</c> held long, a stopped process) is passed over and
/// tried again by the writers that come after, so that it stops no writer of another unit.
/// </remarks>
/// <typeparam name="TView">The kind's view of a state word.</typeparam>
/// <typeparam name="TTable">The kind's table.</typeparam>
internal abstract class TableMigration<TView, TTable>(TableDirectory directory)
    where TView : TableView<TTable>
    where TTable : class, IMigratingTable
{
    private readonly MigrationScan _scan = new();

    /// <summary>How many tables the file has room for.</summary>
    protected abstract int Tables { get; }

    /// <summary>The tables the state word names now.</summary>
    public abstract TView Current();

    /// <summary>A writer's share of <paramref name="view"/>'s migration: unit <paramref name="own"/> (its key's), then one more.</summary>
    public void Help(TView view, long own)
    {
        Move(view, own, wait: true);
        long ticket = directory.TakeTicket();
        if (ticket >= 0 && ticket < view.Older!.Units)
        {
            Move(view, ticket, wait: false);
        }
        else
        {
            FinishStep(view, wait: false);
        }
    }

    /// <summary>
    /// Moves the first unit not yet moved (with <paramref name="wait"/>: waiting for its lock; else the first one not
    /// held by a live writer); when there is none left, ends the migration.
    /// </summary>
    private void FinishStep(TView view, bool wait)
    {
        long units = view.Older!.Units;
        long from = _scan.FirstUnmoved(view.Generation - 1, units, view, static (v, unit) => v.IsMoved(unit));
        if (from >= units)
        {
            directory.EndMigration(view.State);
            return;
        }
        for (long unit = from; unit < units; unit++)
        {
            if (!view.IsMoved(unit) && Move(view, unit, wait))
            {
                return;
            }
        }
        // Every unit left is held by a live writer: the writers after this one try them again.
    }

    /// <summary>Finishes the migration <paramref name="view"/> names (an enumeration, or an add that found the new table full), waiting for held units.</summary>
    public void Finish(TView view)
    {
        while (Current().State == view.State)
        {
            FinishStep(view, wait: true);
        }
    }

    /// <summary>The tables once no migration is in progress, finishing one if there is: what an enumeration walks.</summary>
    public TView Settled()
    {
        TView view = Current();
        while (view.IsMigrating)
        {
            Finish(view);
            view = Current();
        }
        return view;
    }

    /// <summary>
    /// Reserves the next table and publishes the migration into it; false if a migration is under way, the file has
    /// no room for another table, or the file system no memory for it while the add is not refused (<paramref name="full"/>:
    /// then the <see cref="MapFullException"/> naming the memory goes to the caller).
    /// </summary>
    public bool TryGrow(TView view, bool full)
    {
        int next = view.Generation + 1;
        if (view.IsMigrating || next >= Tables)
        {
            return false;
        }
        try
        {
            Reserve(next);
        }
        catch (MapFullException) when (!full)
        {
            return false;
        }
        directory.BeginMigration(view.State, next);
        return true;
    }

    /// <summary>Allocates table <paramref name="generation"/>'s memory (idempotent); <see cref="MapFullException"/> if the file system is full.</summary>
    protected abstract void Reserve(int generation);

    /// <summary>
    /// Moves unit <paramref name="unit"/> of the old table into the new one, if no one has (idempotent, crash-safe);
    /// without <paramref name="wait"/>, false (nothing done) if a live writer holds the unit.
    /// </summary>
    protected abstract bool Move(TView view, long unit, bool wait);
}
