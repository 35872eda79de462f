namespace ShmMaps.Tables;

/// <summary>
/// The writers' share of a migration, one protocol for every kind that grows by doubling its table: a writer moves
/// the old table's unit (stripe, block) its key needs, then one more by ticket; once the tickets are taken, the first
/// unit this process has not seen moved; when every unit is moved, it ends the migration. Starting one reserves the
/// next table before publishing it. What a unit is and how it moves is the kind's.
/// </summary>
/// <typeparam name="TView">The kind's view of a state word.</typeparam>
internal abstract class TableMigration<TView>(TableDirectory directory)
    where TView : TableView
{
    private readonly MigrationScan _scan = new();

    /// <summary>How many tables the file has room for.</summary>
    protected abstract int Tables { get; }

    /// <summary>The tables the state word names now.</summary>
    public abstract TView Current();

    /// <summary>A writer's share of <paramref name="view"/>'s migration: unit <paramref name="own"/> (its key's), then one more.</summary>
    public void Help(TView view, long own)
    {
        Move(view, own);
        long ticket = directory.TakeTicket();
        if (ticket >= 0 && ticket < Units(view))
        {
            Move(view, ticket);
        }
        else
        {
            FinishStep(view);
        }
    }

    /// <summary>Moves the first unit not yet moved; when there is none, ends the migration.</summary>
    private void FinishStep(TView view)
    {
        long units = Units(view);
        long from = _scan.FirstUnmoved(view.Generation - 1, units, (Migration: this, View: view), static (m, unit) => m.Migration.IsMoved(m.View, unit));
        if (from < units)
        {
            Move(view, from);
            return;
        }
        directory.EndMigration(view.State);
    }

    /// <summary>Finishes the migration <paramref name="view"/> names (an enumeration, or an add that found the new table full).</summary>
    public void Finish(TView view)
    {
        while (Current().State == view.State)
        {
            FinishStep(view);
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

    /// <summary>The units of the table <paramref name="view"/> migrates out of.</summary>
    protected abstract long Units(TView view);

    /// <summary>Whether unit <paramref name="unit"/> of the old table is moved.</summary>
    protected abstract bool IsMoved(TView view, long unit);

    /// <summary>Moves unit <paramref name="unit"/> of the old table into the new one, if no one has (idempotent, crash-safe).</summary>
    protected abstract void Move(TView view, long unit);
}
