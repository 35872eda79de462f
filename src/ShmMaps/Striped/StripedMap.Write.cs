using ShmMaps.Striped;

namespace ShmMaps;

public sealed unsafe partial class StripedMap<TKey, TValue>
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding the key if absent (upsert).</summary>
    public void Insert(TKey key, TValue value) => Upsert(key, value, overwrite: true);

    /// <summary>Adds <paramref name="key"/> if absent; false (and no change) if present.</summary>
    public bool TryAdd(TKey key, TValue value) => Upsert(key, value, overwrite: false);

    /// <summary>Removes <paramref name="key"/>, giving its value; false if absent.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        StripedView view;
        bool removed;
        using (StripeHold hold = Hold(key))
        {
            view = hold.View;
            removed = RemoveLocked(hold, key, out value);
        }
        AfterWrite(view, StripeWrite.Changed);
        return removed;
    }

    /// <summary>
    /// Adds <paramref name="key"/> with <paramref name="addValue"/>, or replaces its value with
    /// <paramref name="update"/> of it, holding the stripe's lock: atomic for every process.
    /// <paramref name="update"/> runs once, under the lock; if it throws, nothing changes.
    /// </summary>
    public TValue AddOrUpdate(TKey key, TValue addValue, Func<TKey, TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        while (true)
        {
            StripedView view;
            StripeWrite write = StripeWrite.StripeFull;
            TValue next = addValue;
            using (StripeHold hold = Hold(key))
            {
                view = hold.View;
                byte* cell = TrySlotFor(hold.Stripe, hold.Hash, key, out bool exists);
                if (cell is not null)
                {
                    next = exists ? update(key, ValueAt(cell)) : addValue;
                    WriteCell(hold.Lane, hold.Stripe, cell, StripedLayout.Occupied, key, next, exists ? 0 : 1);
                    write = exists ? StripeWrite.Changed : StripeWrite.Added;
                }
            }
            if (write != StripeWrite.StripeFull)
            {
                AfterWrite(view, write);
                return next;
            }
            GrowForFullStripe(view, key);
        }
    }

    /// <summary>
    /// Locks the stripes of <paramref name="keys"/> in ascending stripe order (so callers naming keys in any
    /// order never deadlock) and returns a scope through which those keys, and only those, are read and
    /// written; other processes wait for the stripes until it is disposed. Use it from one thread at a time.
    /// </summary>
    public KeyLock<TKey, TValue> Lock(params TKey[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        Lane lane = _region.Lanes.CurrentPinned(out object lease);
        return new KeyLock<TKey, TValue>(this, lane, lease, keys);
    }

    /// <summary>
    /// Step 1-2 of the write protocol for a stripe: intent, then the CAS that locks it (waiting for a live
    /// holder, recovering a dead one). Returns the word it locked from.
    /// </summary>
    internal ulong LockStripe(Lane lane, byte* stripe)
    {
        lane.MarkLocking(_region.OffsetOf(stripe));
        return RobustLock.Acquire(_region.Lanes, lane, (ulong*)stripe, heldHere: _heldHere);
    }

    /// <summary><see cref="LockStripe"/> unless a live writer (this thread's own lane included) holds the stripe: then false, at once.</summary>
    private bool TryLockStripe(Lane lane, byte* stripe, out ulong lockedFrom)
    {
        lane.MarkLocking(_region.OffsetOf(stripe));
        return RobustLock.TryAcquire(_region.Lanes, lane, (ulong*)stripe, recoverDeadOwner: null, out lockedFrom);
    }

    /// <summary>
    /// Locks the stripe of <paramref name="key"/> in the newest table for one operation of this thread: during a
    /// migration, after moving the key's old stripe (and one more); again if a migration began while it locked.
    /// </summary>
    private StripeHold Hold(in TKey key)
    {
        ThrowIfDisposed();
        Lane lane = _region.Lanes.Current;
        ulong hash = Hash(key);
        while (true)
        {
            StripedView view = View();
            if (view.Older is not null)
            {
                Help(view, hash);
            }
            StripeTable table = view.Newest;
            byte* stripe = table.Stripe(table.StripeIndexOf(hash));
            ulong lockedFrom = LockStripe(lane, stripe);
            if (IsWriteTarget(table))
            {
                return new StripeHold(lane, view, stripe, hash, lockedFrom);
            }
            StripeHold.Release(stripe, lockedFrom);
        }
    }

    /// <summary>Sets or adds <paramref name="key"/>, growing the map first when its stripe is full; false if present and not <paramref name="overwrite"/>.</summary>
    private bool Upsert(in TKey key, in TValue value, bool overwrite)
    {
        while (true)
        {
            StripedView view;
            StripeWrite write;
            using (StripeHold hold = Hold(key))
            {
                view = hold.View;
                write = UpsertLocked(hold, key, value, overwrite);
            }
            if (write != StripeWrite.StripeFull)
            {
                AfterWrite(view, write);
                return write != StripeWrite.Unchanged;
            }
            GrowForFullStripe(view, key);
        }
    }

    /// <summary>The cell of <paramref name="key"/> in a held stripe or a copy of one, or null.</summary>
    internal byte* FindIn(byte* stripe, in TKey key) => Find(stripe, Hash(key), key);

    /// <summary>The value in a cell.</summary>
    internal static TValue ValueOfCell(byte* cell) => ValueAt(cell);

    /// <summary>Whether a cell holds an entry.</summary>
    internal static bool IsOccupied(byte* cell) => StateAt(cell) == StripedLayout.Occupied;

    /// <summary>Sets or adds <paramref name="key"/> in the held stripe (unchanged if present and not <paramref name="overwrite"/>).</summary>
    private StripeWrite UpsertLocked(in StripeHold hold, in TKey key, in TValue value, bool overwrite)
    {
        byte* cell = TrySlotFor(hold.Stripe, hold.Hash, key, out bool exists);
        if (cell is null)
        {
            return StripeWrite.StripeFull;
        }
        if (exists && !overwrite)
        {
            return StripeWrite.Unchanged;
        }
        WriteCell(hold.Lane, hold.Stripe, cell, StripedLayout.Occupied, key, value, exists ? 0 : 1);
        return exists ? StripeWrite.Changed : StripeWrite.Added;
    }

    /// <summary>Removes <paramref name="key"/> from the held stripe.</summary>
    private bool RemoveLocked(in StripeHold hold, in TKey key, out TValue value)
    {
        byte* cell = Find(hold.Stripe, hold.Hash, key);
        if (cell is null)
        {
            value = default;
            return false;
        }
        value = ValueAt(cell);
        WriteCell(hold.Lane, hold.Stripe, cell, RemovedState(hold.Stripe, cell), default, default, countDelta: -1);
        return true;
    }

    /// <summary>
    /// The cell of <paramref name="key"/> in <paramref name="stripe"/> (a held stripe, or a copy of one), or the
    /// cell it would be added to: the first removed or empty cell of its probe; null if the stripe has none.
    /// </summary>
    internal byte* TrySlotFor(byte* stripe, in TKey key, out bool exists) => TrySlotFor(stripe, Hash(key), key, out exists);

    private byte* TrySlotFor(byte* stripe, ulong hash, in TKey key, out bool exists)
    {
        long home = (long)(hash >> 32) & _cellMask;
        byte* free = null;
        for (long i = 0; i <= _cellMask; i++)
        {
            byte* cell = CellAt(stripe, (home + i) & _cellMask);
            uint state = StateAt(cell);
            if (state == StripedLayout.Occupied)
            {
                if (KeyBytes<TKey>.Equal(KeyAt(cell), key))
                {
                    exists = true;
                    return cell;
                }
                continue;
            }
            free = free is null ? cell : free;
            if (state == StripedLayout.Empty)
            {
                break;
            }
        }
        exists = false;
        return free;
    }

    /// <summary>The state a removed key's cell takes: empty if the next cell is (it ended its run), else removed, which lookups step over.</summary>
    internal uint RemovedState(byte* stripe, byte* cell)
    {
        long index = (cell - (stripe + StripedLayout.CellsOffset)) / CellStride;
        return StateAt(CellAt(stripe, (index + 1) & _cellMask)) == StripedLayout.Empty ? StripedLayout.Empty : StripedLayout.Removed;
    }

    /// <summary>
    /// Writes a cell's key and value, then its state (into a held stripe under the write protocol, into a copy, or, by
    /// a mover, into a new stripe without an undo image): the release publishes the key and value with the state, so
    /// that a mover killed mid-write leaves the cell empty, never occupied by a key half written.
    /// </summary>
    internal static void StoreCell(byte* cell, uint state, in TKey key, in TValue value)
    {
        Unsafe.WriteUnaligned(cell + StripedLayout.KeyOffset, key);
        Unsafe.WriteUnaligned(cell + StripedLayout.KeyOffset + Unsafe.SizeOf<TKey>(), value);
        SharedMemory.WriteRelease((uint*)cell, state);
    }

    /// <summary>Steps 1, 3-5 for one cell of a held stripe: intent, undo image, the new bytes, commit with the count change.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteCell(Lane lane, byte* stripe, byte* cell, uint state, in TKey key, in TValue value, long countDelta)
    {
        lane.MarkLocking(_region.OffsetOf(stripe));
        lane.SaveUndo(_region.OffsetOf(cell), cell, CellStride);
        StoreCell(cell, state, key, value);
        lane.Commit(countDelta);
    }
}
