using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>How a <see cref="SeqMap{TKey,TValue}"/> grows while every process keeps using it.</summary>
/// <remarks>
/// <para>
/// An insert that finds the newest table past <see cref="SeqMapLayout.GrowLoad"/> reserves the next table (twice the
/// cells) and publishes (g, steady) -> (g+1, migrating) by CAS. From then on every write first makes sure the old
/// table's insert stripe of its key has been copied ("moved"), then copies one more stripe, and writes only in the
/// new table. A stripe is copied under its insert-stripe lock: every key whose home is in the stripe is upserted
/// into the new table and its old entry marked <see cref="SeqCellLayout.Moved"/> (key and value stay, for lookups
/// that began before), then the stripe's moved flag is set. A writer killed mid-stripe leaves the flag clear and the stripe lock with a dead owner: the
/// next one to take it copies the stripe again, overwriting what the dead one copied with the same values. Copies
/// change no count, so <see cref="Count"/> stays exact throughout.
/// </para>
/// <para>
/// No add or removal lands in a table after its migration began: such a writer checks the state word after locking its
/// cell (or insert stripe), and the migration's CAS comes before any copy locks or reads that cell; so a writer that saw
/// its table still newest finishes before the copy reads the cell. An update of a present key may land in the old table
/// until its entry is marked moved, and is copied with it (<see cref="MoveEntry"/>).
/// </para>
/// <para>
/// Lookups never wait: while migrating, a key whose old stripe is not yet moved is looked up in the old table
/// (which still holds every such key), else in the new one. When every flag is set, a writer publishes (g+1, steady);
/// the old table's memory is given back by a writer once no live handle reads it (<see cref="TableRetirement"/>).
/// </para>
/// </remarks>
public sealed unsafe partial class SeqMap<TKey, TValue>
{
    private LoadCheck _loadCheck;

    /// <summary>The generation writes go to now.</summary>
    internal int Generation => View().Newest.Generation;

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SeqView View() => _views.Current();

    /// <summary>True if <paramref name="table"/> is still the one writes go to (read after the caller's lock CAS).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsWriteTarget(SeqTable table) => TableDirectory.Generation(_directory.ReadState()) == table.Generation;

    /// <summary>Looks a key up while its table is being copied into the next one.</summary>
    private static bool FindMigrating(SeqView view, ulong hash, in TKey key, out TValue value)
    {
        SeqTable older = view.Older!;
        ulong* moved = older.MovedFlag(older.UnitOf(hash));
        if (SharedMemory.ReadAcquire(moved) == 0)
        {
            // Entries a mover marked moved are still the keys' until the flag is set (no write reaches the new table before).
            if (Find(older, older.Home(hash), key, out _, out _, out value, movedIsEntry: true))
            {
                return true;
            }
            // Absent from the old table while its stripe was not moved: absent from the map then (no key of an
            // unmoved stripe is in the new table).
            if (SharedMemory.ReadAcquire(moved) == 0)
            {
                return false;
            }
        }
        return FindInHome(view.Newest, hash, key, out value);
    }

    /// <summary>A writer's share of a migration: the old stripe of its key, then one more.</summary>
    private void Help(SeqView view, ulong hash)
    {
        SeqTable older = view.Older!;
        _migration.Help(view, older.StripeOfHome(older.Home(hash)));
    }

    /// <summary>
    /// Copies every key whose home is in stripe <paramref name="stripeIndex"/> of <paramref name="older"/> into
    /// <paramref name="newer"/>, then sets the stripe's moved flag; nothing if it is set already. Without
    /// <paramref name="wait"/>, false (nothing done) if a live writer holds the insert stripe.
    /// </summary>
    private bool MoveStripe(SeqTable older, SeqTable newer, Lane lane, long stripeIndex, bool wait)
    {
        ulong* moved = older.Moved + stripeIndex;
        if (SharedMemory.ReadAcquire(moved) != 0)
        {
            return true;
        }
        ulong* stripe = older.Stripes + stripeIndex;
        ulong stripeWord;
        if (wait)
        {
            stripeWord = LockStripe(lane, stripe);
        }
        else if (!TryLockStripe(lane, stripe, out stripeWord))
        {
            return false;
        }
        try
        {
            if (SharedMemory.ReadAcquire(moved) != 0)
            {
                return true;
            }
            long first = stripeIndex << older.StripeShift;
            long end = first + (1L << older.StripeShift);
            long last = first;
            for (long home = first; home < end; home++)
            {
                last = Math.Max(last, home + ProbeLimit(older, Cell(older, home)));
            }
            for (long i = first; i <= last; i++)
            {
                MoveEntry(older, newer, lane, Cell(older, i & older.Mask), first, end);
            }
            // Publishes the copies: whoever sees the flag finds every key of the stripe in the new table.
            SharedMemory.WriteRelease(moved, 1);
            return true;
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
        }
    }

    /// <summary>
    /// Copies the entry in <paramref name="cell"/> into <paramref name="newer"/> if its home is in [<paramref name="first"/>,
    /// <paramref name="end"/>), then marks it <see cref="SeqCellLayout.Moved"/> by a CAS from the word it was copied under,
    /// so that no update lands in it after its last copy (an update that came between is copied again) and lookups
    /// that skip the state word pass it by. Only the state changes: no undo image is needed, and a mover killed here
    /// leaves the entry moved or not, either of which the stripe's next mover and every lookup of the old table accept.
    /// </summary>
    private void MoveEntry(SeqTable older, SeqTable newer, Lane lane, byte* cell, long first, long end)
    {
        while (true)
        {
            ulong word = ReadCell(older, cell, out uint state, out TKey key, out TValue value);
            if (state is not (SeqCellLayout.Occupied or SeqCellLayout.Moved))
            {
                return;
            }
            ulong hash = Hash(key);
            long home = older.Home(hash);
            if (home < first || home >= end)
            {
                return;
            }
            Place(newer, lane, hash, key, value);
            if (state == SeqCellLayout.Moved)
            {
                return; // a killed mover's mark: no update came after it, so that copy was the last
            }
            if (older.Cells.TryLock(lane, cell, word))
            {
                *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Moved;
                SeqCells.Unlock(cell, word);
                return;
            }
        }
    }

    /// <summary>
    /// Upserts a copied entry into the new table without its insert stripe: until the old stripe is moved, only its
    /// mover adds keys of these homes there. Counts nothing (the entry is counted once already).
    /// </summary>
    private void Place(SeqTable table, Lane lane, ulong hash, in TKey key, in TValue value)
    {
        long home = table.Home(hash);
        while (Find(table, home, key, out byte* found, out ulong word, out _))
        {
            if (table.Cells.TryLock(lane, found, word))
            {
                WriteValue(table, lane, found, word, value);
                return;
            }
        }
        if (!TryClaimEmpty(table, lane, home, key, value, countDelta: 0, out _))
        {
            ThrowHelper.ThrowMapFull(Name, Capacity);
        }
    }

    /// <summary>After an add at <paramref name="distance"/> from its home: starts the next table if the load calls for it.</summary>
    private void AfterAdd(SeqView view, long distance)
    {
        SeqTable table = view.Newest;
        if (view.Older is null && _loadCheck.IsDue(table.CellCount, far: distance > 8)
            && LoadCheck.CallsForGrowth(Count, table.CellCount, _layout.GrowLoad, View().Newest.CellCount, Name))
        {
            _migration.TryGrow(view, full: false);
        }
    }

    /// <summary>How a SeqMap's migration moves its units: insert stripes, each under its lock (<see cref="MoveStripe"/>).</summary>
    private sealed class Migration(SeqMap<TKey, TValue> map) : TableMigration<SeqView, SeqTable>(map._directory)
    {
        protected override int Tables => map._layout.Tables;

        public override SeqView Current() => map.View();

        protected override void Reserve(int generation) => map._layout.Reserve(generation);

        protected override bool Move(SeqView view, long unit, bool wait) => map.MoveStripe(view.Older!, view.Newest, map._region.Lanes.Current, unit, wait);
    }
}
