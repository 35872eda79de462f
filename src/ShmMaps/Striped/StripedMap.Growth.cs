using ShmMaps.Striped;

namespace ShmMaps;

/// <summary>How a <see cref="StripedMap{TKey,TValue}"/> grows while every process keeps using it.</summary>
/// <remarks>
/// <para>
/// An add that finds the newest table past <see cref="StripedLayout.GrowLoad"/>, or its key's stripe full, reserves the
/// next table (twice the stripes, of the same cells) and publishes (g, steady) -> (g+1, migrating) by CAS
/// (<see cref="TableDirectory"/>). From then on every write first makes sure its key's stripe of the old table has been
/// moved, then moves one more, and locks only stripes of the new table. Old stripe s is moved under its own lock: every
/// key is copied into new stripe s or s + the old count (by one more bit of its hash), then the old stripe's moved
/// flag is set. Until that flag is set, no one else touches those two new stripes; a mover killed mid-stripe leaves
/// the flag clear and its lock with a dead owner, and the next mover copies again, passing the keys already there (a
/// cell's state is written after its key and value, so a copy cut short leaves the cell empty, not a key half written).
/// Copies change no count, so <see cref="Count"/> stays exact throughout.
/// </para>
/// <para>
/// No write lands in a table after its migration began: a writer (and a <see cref="KeyLock{TKey,TValue}"/>) checks
/// the state word after its lock CAS, and the migration's CAS comes before any mover locks an old stripe; so a
/// writer that saw its table still newest finishes before its stripe is copied.
/// </para>
/// <para>
/// Lookups take no lock: while migrating, a key whose old stripe is not moved is read there (read, then the moved
/// flag, then the cells, then the lock word again), else in the new table. When every flag is set, a writer
/// publishes (g+1, steady); the old table is given back once no live handle reads it (<see cref="TableRetirement"/>).
/// </para>
/// </remarks>
public sealed unsafe partial class StripedMap<TKey, TValue>
{
    private LoadCheck _loadCheck;

    /// <summary>The generation writes go to now.</summary>
    internal int Generation => View().Newest.Generation;

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal StripedView View() => _views.Current();

    /// <summary>True if <paramref name="table"/> is still the one writes go to (read after the caller's lock CAS).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsWriteTarget(StripeTable table) => TableDirectory.Generation(_directory.ReadState()) == table.Generation;

    /// <summary>Looks a key up while its table is being copied into the next one.</summary>
    private bool FindMigrating(StripedView view, ulong hash, in TKey key, out TValue value)
    {
        StripeTable older = view.Older!;
        long index = older.StripeIndexOf(hash);
        byte* stripe = older.Stripe(index);
        ulong* moved = older.Moved(index);
        while (true)
        {
            ulong before = SharedMemory.ReadAcquire((ulong*)stripe);
            if (LockWord.IsLocked(before))
            {
                before = WaitForStripe(stripe, before);
            }
            // Read after the word: a move released by the time `before` was written is seen here.
            if (SharedMemory.ReadAcquire(moved) != 0)
            {
                break;
            }
            byte* cell = Find(stripe, hash, key);
            value = cell is null ? default : ValueAt(cell);
            SharedMemory.LoadLoadBarrier();
            if (SharedMemory.ReadAcquire((ulong*)stripe) == before)
            {
                return cell is not null; // the stripe was whole and not moved: it held every key of its own
            }
        }
        return ReadStripe(view.Newest.Stripe(view.Newest.StripeIndexOf(hash)), hash, key, out value, out _);
    }

    /// <summary>Before a write during a migration: moves the old stripe of <paramref name="hash"/>, then one more.</summary>
    private void Help(StripedView view, ulong hash) => _migration.Help(view, view.Older!.StripeIndexOf(hash));

    /// <summary>What a <see cref="KeyLock{TKey,TValue}"/> does before it locks: <see cref="Help"/> for each of its keys.</summary>
    internal StripedView PrepareKeyLock(TKey[] keys)
    {
        ThrowIfDisposed();
        StripedView view = View();
        if (view.Older is not null)
        {
            foreach (TKey key in keys)
            {
                Help(view, Hash(key));
            }
        }
        return view;
    }

    /// <summary>
    /// Copies stripe <paramref name="index"/> of <paramref name="older"/> into its two stripes of
    /// <paramref name="newer"/>, then sets its moved flag; nothing if it is set already. Without
    /// <paramref name="wait"/>, false (nothing done) if a live writer holds the stripe (a <see cref="KeyLock{TKey,TValue}"/>).
    /// </summary>
    private bool MoveStripe(StripeTable older, StripeTable newer, Lane lane, long index, bool wait)
    {
        ulong* moved = older.Moved(index);
        if (SharedMemory.ReadAcquire(moved) != 0)
        {
            return true;
        }
        byte* stripe = older.Stripe(index);
        ulong lockedFrom;
        if (wait)
        {
            lockedFrom = LockStripe(lane, stripe);
        }
        else if (!TryLockStripe(lane, stripe, out lockedFrom))
        {
            return false;
        }
        try
        {
            if (SharedMemory.ReadAcquire(moved) != 0)
            {
                return true;
            }
            for (long i = 0; i <= _cellMask; i++)
            {
                byte* cell = CellAt(stripe, i);
                if (StateAt(cell) != StripedLayout.Occupied)
                {
                    continue;
                }
                TKey key = KeyAt(cell);
                ulong hash = Hash(key);
                long target = newer.StripeIndexOf(hash);
                if (target == index || target == index + older.Stripes)
                {
                    Place(newer.Stripe(target), hash, key, ValueAt(cell)); // else a key of another stripe: damage check reports
                }
            }
            // The new stripes' words get a version: a stripe that holds keys never has word 0, so that a reader whose
            // pages turn to zeros mid-read (a table this handle moved past) sees the word change.
            for (long target = index; target < newer.Stripes; target += older.Stripes)
            {
                ulong* word = (ulong*)newer.Stripe(target);
                if (SharedMemory.ReadAcquire(word) == 0)
                {
                    SharedMemory.WriteRelease(word, LockWord.Released(0)); // only this mover writes them until the flag
                }
            }
            // Publishes the copies: whoever sees the flag finds every key of the stripe in the new table.
            SharedMemory.WriteRelease(moved, 1);
            return true;
        }
        finally
        {
            StripeHold.Release(stripe, lockedFrom);
        }
    }

    /// <summary>
    /// Writes a copied entry into the first empty cell of its probe in a new stripe that only its mover writes until
    /// the old stripe is moved (it has room: it receives at most the old stripe's keys), unless the probe meets the key:
    /// a mover killed before it set the moved flag copied it, with the same value (the old stripe cannot change between:
    /// every writer checks the state after its lock and writes in the new table).
    /// </summary>
    private void Place(byte* stripe, ulong hash, in TKey key, in TValue value)
    {
        long home = (long)(hash >> 32) & _cellMask;
        for (long i = 0; i <= _cellMask; i++)
        {
            byte* cell = CellAt(stripe, (home + i) & _cellMask);
            uint state = StateAt(cell);
            if (state == StripedLayout.Empty)
            {
                StoreCell(cell, StripedLayout.Occupied, key, value);
                return;
            }
            if (state == StripedLayout.Occupied && KeyBytes<TKey>.Equal(KeyAt(cell), key))
            {
                return;
            }
        }
    }

    /// <summary>After a write under <paramref name="view"/>: gives back old tables; after an add, starts the next table if the load calls for it.</summary>
    private void AfterWrite(StripedView view, StripeWrite write)
    {
        _retirement.AfterWrite(view.State);
        if (write != StripeWrite.Added || view.Older is not null)
        {
            return;
        }
        long cells = view.Newest.Stripes * CellsPerStripe;
        if (_loadCheck.IsDue(cells) && LoadCheck.CallsForGrowth(Count, cells, _layout.GrowLoad, View().Newest.Stripes * CellsPerStripe, Name))
        {
            _migration.TryGrow(view, full: false);
        }
    }

    /// <summary>After a <see cref="KeyLock{TKey,TValue}"/> that added keys: what <see cref="AfterWrite"/> does after an add.</summary>
    internal void AfterKeyLock(StripedView view) => AfterWrite(view, StripeWrite.Added);

    /// <summary>
    /// An add found its key's stripe full in <paramref name="view"/>'s newest table: finishes a migration in progress,
    /// or starts the next table, so that the add can be tried again; <see cref="MapFullException"/> if the map is at its
    /// largest table (or the file system has no memory for the next one).
    /// </summary>
    private void GrowForFullStripe(StripedView view, in TKey key)
    {
        if (!TryGrowForFullStripe(view))
        {
            ThrowAtLargestTable(view, key);
        }
    }

    /// <summary>
    /// For a <see cref="KeyLock{TKey,TValue}"/> whose add found its stripe full: the <see cref="MapFullException"/> an add
    /// would give if the map cannot grow (at its largest table, or no memory for the next one); else reserves the next
    /// table, which the growth at the KeyLock's Dispose then takes.
    /// </summary>
    internal void EnsureCanGrowForFullStripe(StripedView view, in TKey key)
    {
        if (view.Older is not null)
        {
            return; // the migration in progress ends with room
        }
        if (view.Generation + 1 >= _layout.Tables)
        {
            ThrowAtLargestTable(view, key);
        }
        _layout.Reserve(view.Generation + 1);
    }

    private void ThrowAtLargestTable(StripedView view, in TKey key) =>
        ThrowHelper.ThrowMapFull(
            $"map '{Name}': the stripe of key '{key}' has all its {CellsPerStripe} cells in use and the map is at its largest table " +
            $"({view.Newest.Stripes:N0} stripes); create it with a larger {(_layout.Tables > 1 ? "ShmOptions.MaxCapacity" : "capacity")}");

    /// <summary><see cref="GrowForFullStripe"/> without the exception: false if the map cannot grow.</summary>
    internal bool TryGrowForFullStripe(StripedView view)
    {
        if (view.Older is not null)
        {
            _migration.Finish(view);
            return true; // the new table may have room; if not, the next try grows again
        }
        return View().State != view.State || _migration.TryGrow(view, full: true);
    }

    /// <summary>How a StripedMap's migration moves its units: stripes, each under its own lock (<see cref="MoveStripe"/>).</summary>
    private sealed class Migration(StripedMap<TKey, TValue> map) : TableMigration<StripedView, StripeTable>(map._directory)
    {
        protected override int Tables => map._layout.Tables;

        public override StripedView Current() => map.View();

        protected override void Reserve(int generation) => map._layout.Reserve(generation);

        protected override bool Move(StripedView view, long unit, bool wait) => map.MoveStripe(view.Older!, view.Newest, map._region.Lanes.Current, unit, wait);
    }
}
