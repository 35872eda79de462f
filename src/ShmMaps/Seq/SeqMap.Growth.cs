using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;
using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>How a <see cref="SeqMap{TKey,TValue}"/> grows while every process keeps using it.</summary>
/// <remarks>
/// <para>
/// An insert that finds the newest table past <see cref="SeqMapLayout.GrowLoad"/> reserves the next table (twice the
/// cells) and publishes (g, steady) -> (g+1, migrating) by CAS. From then on every write first makes sure the old
/// table's insert stripe of its key has been copied ("moved"), then copies one more stripe, and writes only in the
/// new table. A stripe is copied under its insert-stripe lock: every key whose home is in the stripe is upserted
/// into the new table (the old table's copy stays, unchanged, for lookups that began before), then the stripe's
/// moved flag is set. A writer killed mid-stripe leaves the flag clear and the stripe lock with a dead owner: the
/// next one to take it copies the stripe again, overwriting what the dead one copied with the same values. Copies
/// change no count, so <see cref="Count"/> stays exact throughout.
/// </para>
/// <para>
/// No write lands in a table after its migration began: a writer checks the state word after locking its cell
/// (or insert stripe), and the migration's CAS comes before any copy locks or reads that cell; so a writer that saw
/// its table still newest finishes before the copy reads the cell.
/// </para>
/// <para>
/// Lookups never wait: while migrating, a key whose old stripe is not yet moved is looked up in the old table
/// (which still holds every such key), else in the new one. When every flag is set, a writer publishes (g+1, steady);
/// the old table's memory is given back <see cref="SeqMapLayout.RetireGrace"/> later by a writer.
/// </para>
/// </remarks>
public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>How often (in adds, per process) an add checks the load; small tables check every add.</summary>
    private const int LoadCheckInterval = 64;

    /// <summary>The table size up to which every add checks the load.</summary>
    private const long SmallTableCells = 1024;

    private int _addsSinceLoadCheck;

    /// <summary>Where this process's scan for stripes still to move goes on from: [generation 16][stripe 48].</summary>
    private long _scanFrom;

    /// <summary>The generation below which this process knows the tables are given back.</summary>
    private int _retiredKnown;

    /// <summary>When this process may next look whether an old table can be given back (<see cref="Environment.TickCount64"/>).</summary>
    private long _nextRetireLook;

    /// <summary>The generation writes go to now.</summary>
    internal int Generation => View().Newest.Generation;

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SeqView View()
    {
        ulong state = SharedMemory.ReadAcquire(_directory.State);
        SeqView view = _view;
        return view.State == state ? view : Refresh(state);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SeqView Refresh(ulong state)
    {
        ThrowIfDisposed();
        SeqView view = _layout.View(state);
        _view = view; // a reference store: readers of the field get this view or the one before, both whole
        return view;
    }

    /// <summary>True if <paramref name="table"/> is still the one writes go to (read after the caller's lock CAS).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsWriteTarget(SeqTable table) => SeqDirectory.Generation(SharedMemory.ReadAcquire(_directory.State)) == table.Generation;

    /// <summary>Looks a key up while its table is being copied into the next one.</summary>
    private static bool FindMigrating(SeqView view, ulong hash, in TKey key, out TValue value)
    {
        SeqTable older = view.Older!;
        ulong* moved = older.Moved + older.StripeOfHome(older.Home(hash));
        if (SharedMemory.ReadAcquire(moved) == 0)
        {
            if (FindInHome(older, hash, key, out value))
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

    /// <summary>A writer's share of a migration: the stripe of its key, then one more.</summary>
    private void Help(SeqView view, Lane lane, ulong hash)
    {
        SeqTable older = view.Older!;
        MoveStripe(older, view.Newest, lane, older.StripeOfHome(older.Home(hash)));
        long ticket = Interlocked.Increment(ref *_directory.Cursor) - 1; // a ticket: spreads helpers over the stripes
        if (ticket >= 0 && ticket < older.StripeCount)
        {
            MoveStripe(older, view.Newest, lane, ticket);
        }
        else
        {
            FinishStep(view, lane);
        }
    }

    /// <summary>Moves the first stripe not yet moved; when there is none, ends the migration.</summary>
    private void FinishStep(SeqView view, Lane lane)
    {
        SeqTable older = view.Older!;
        long scan = _scanFrom;
        long from = scan >> 48 == older.Generation ? scan & ((1L << 48) - 1) : 0;
        while (from < older.StripeCount && SharedMemory.ReadAcquire(older.Moved + from) != 0)
        {
            from++;
        }
        _scanFrom = ((long)older.Generation << 48) | from;
        if (from < older.StripeCount)
        {
            MoveStripe(older, view.Newest, lane, from);
            return;
        }
        SharedMemory.WriteRelease(_directory.SteadySince, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // Publishes: lookups that read this state use the new table alone; the old one waits out RetireGrace.
        Interlocked.CompareExchange(ref *_directory.State, SeqDirectory.Steady(view.Newest.Generation), view.State);
    }

    /// <summary>Finishes the migration <paramref name="view"/> names (an enumeration, or an insert that found the new table full).</summary>
    private void FinishMigration(SeqView view, Lane lane)
    {
        while (View().State == view.State)
        {
            FinishStep(view, lane);
        }
    }

    /// <summary>
    /// Copies every key whose home is in stripe <paramref name="stripeIndex"/> of <paramref name="older"/> into
    /// <paramref name="newer"/>, then sets the stripe's moved flag; nothing if it is set already.
    /// </summary>
    private void MoveStripe(SeqTable older, SeqTable newer, Lane lane, long stripeIndex)
    {
        ulong* moved = older.Moved + stripeIndex;
        if (SharedMemory.ReadAcquire(moved) != 0)
        {
            return;
        }
        ulong* stripe = older.Stripes + stripeIndex;
        ulong stripeWord = LockStripe(lane, stripe);
        try
        {
            if (SharedMemory.ReadAcquire(moved) != 0)
            {
                return;
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
                ReadCell(older, Cell(older, i & older.Mask), out uint state, out TKey key, out TValue value);
                if (state != SeqCellLayout.Occupied)
                {
                    continue;
                }
                ulong hash = Hash(key);
                long home = older.Home(hash);
                if (home >= first && home < end)
                {
                    Place(newer, lane, hash, key, value);
                }
            }
            // Publishes the copies: whoever sees the flag finds every key of the stripe in the new table.
            SharedMemory.WriteRelease(moved, 1);
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
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
        if (view.Older is null && (table.CellCount <= SmallTableCells || distance > 8 || ++_addsSinceLoadCheck % LoadCheckInterval == 0)
            && Count > table.CellCount * _layout.GrowLoad)
        {
            TryGrow(view, full: false);
        }
    }

    /// <summary>
    /// Reserves the next table and publishes the migration into it; false if the file has no room for another table,
    /// or the file system no memory for it while the current table is not full (<paramref name="full"/>: then it throws).
    /// </summary>
    private bool TryGrow(SeqView view, bool full)
    {
        int next = view.Newest.Generation + 1;
        if (view.Older is not null || next >= _layout.Tables)
        {
            return false;
        }
        try
        {
            _layout.Reserve(next);
        }
        catch (MapFullException) when (!full)
        {
            return false;
        }
        SharedMemory.WriteRelease(_directory.Cursor, 0);
        // Publishes the migration: from here no write lands in the old table (writers check after their lock).
        Interlocked.CompareExchange(ref *_directory.State, SeqDirectory.Migrating(next), view.State);
        return true;
    }

    /// <summary>After a write: gives back the tables the map grew out of, once <see cref="SeqMapLayout.RetireGrace"/> has passed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void GiveBackRetired(SeqView view)
    {
        if (view.Newest.Generation > _retiredKnown)
        {
            LookToGiveBack(view);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LookToGiveBack(SeqView view)
    {
        int generation = view.Newest.Generation;
        if (view.Older is not null || Environment.TickCount64 < _nextRetireLook)
        {
            return;
        }
        _nextRetireLook = Environment.TickCount64 + 100;
        long retired = SharedMemory.ReadAcquire(_directory.RetiredBelow);
        if (retired >= generation)
        {
            _retiredKnown = generation;
            return;
        }
        long since = SharedMemory.ReadAcquire(_directory.SteadySince);
        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - since < (long)SeqMapLayout.RetireGrace.TotalMilliseconds)
        {
            return;
        }
        // Claims the giving back (one process does it); a process killed before it punched left memory an opener frees.
        if (Interlocked.CompareExchange(ref *_directory.RetiredBelow, generation, retired) == retired)
        {
            _layout.Release((int)retired, generation);
        }
    }

    /// <summary>An opener gives back again what the directory says was given back (a giver may have been killed first).</summary>
    private void GiveBackOnOpen()
    {
        long retired = SharedMemory.ReadAcquire(_directory.RetiredBelow);
        ulong state = SharedMemory.ReadAcquire(_directory.State);
        int oldestLive = SeqDirectory.Generation(state) - (SeqDirectory.IsMigrating(state) ? 1 : 0);
        if (retired < 0 || retired > oldestLive)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': its directory says tables below {retired} were given back, but table {oldestLive} is in use");
        }
        _layout.Release(0, (int)retired);
        _retiredKnown = (int)retired;
    }
}
