using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>What a write in one table came to.</summary>
    private enum WriteOutcome
    {
        Added,
        Updated,
        Present,
        Absent,
        Full,
        Retry,
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding the key if absent (upsert).</summary>
    public void Insert(TKey key, TValue value) => Upsert(key, value, overwrite: true);

    /// <summary>Adds <paramref name="key"/> if absent; false (and no change) if present.</summary>
    public bool TryAdd(TKey key, TValue value) => Upsert(key, value, overwrite: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Upsert(in TKey key, in TValue value, bool overwrite)
    {
        ThrowIfDisposed();
        ulong hash = Hash(key);
        SeqView view = _views.Cached;
        if (view.Older is null)
        {
            // The straight path: the key present in the one table this process's view names, without the state
            // word (an update may land in a table being migrated out of: see UpdateIn). One try; the slow path retries.
            WriteOutcome outcome = TryUpdate(view.Newest, view.Newest.Home(hash), key, value, overwrite, lane: null);
            if (outcome == WriteOutcome.Updated)
            {
                _retirement.AfterWrite(view.State);
                return true;
            }
            if (outcome == WriteOutcome.Present)
            {
                return false;
            }
        }
        return UpsertSlow(hash, key, value, overwrite);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool UpsertSlow(ulong hash, in TKey key, in TValue value, bool overwrite)
    {
        while (true)
        {
            SeqView view = View();
            SeqTable table = view.Newest;
            if (view.Older is not null)
            {
                Help(view, hash);
            }
            WriteOutcome outcome = UpdateIn(table, hash, key, value, overwrite);
            long distance = 0;
            if (outcome == WriteOutcome.Absent)
            {
                outcome = InsertUnderStripe(table, _region.Lanes.Current, table.Home(hash), key, value, overwrite, out distance);
            }
            switch (outcome)
            {
                case WriteOutcome.Added:
                    AfterAdd(view, distance);
                    break;
                case WriteOutcome.Full when view.Older is not null:
                    _migration.Finish(view);
                    continue;
                case WriteOutcome.Full:
                    if (!_migration.TryGrow(view, full: true))
                    {
                        ThrowHelper.ThrowMapFull(Name, Capacity);
                    }
                    continue;
                case WriteOutcome.Retry:
                    continue;
            }
            _retirement.AfterWrite(view.State);
            return outcome != WriteOutcome.Present;
        }
    }

    /// <summary>
    /// Updates the key where <paramref name="table"/> holds it, without the insert stripe.
    /// </summary>
    /// <remarks>
    /// The table need not be the newest: the CAS succeeds only if the word is still the one under which the cell held
    /// the key, occupied and not marked moved, and a mover marks an entry by a CAS from the word it copied it under
    /// (copying it again if that fails). So an update that lands in a table being migrated out of lands before its
    /// entry is copied for the last time, and none lands after.
    /// </remarks>
    private WriteOutcome UpdateIn(SeqTable table, ulong hash, in TKey key, in TValue value, bool overwrite)
    {
        long home = table.Home(hash);
        WriteOutcome outcome;
        while ((outcome = TryUpdate(table, home, key, value, overwrite, lane: null)) == WriteOutcome.Retry)
        {
        }
        return outcome;
    }

    /// <summary>
    /// One try at updating the key where <paramref name="table"/> holds it: Updated, Present (found, not
    /// <paramref name="overwrite"/>), Absent, or Retry (the cell's word changed between the find and the lock CAS).
    /// <paramref name="lane"/> is the caller's, or null to take this thread's only when the key is found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private WriteOutcome TryUpdate(SeqTable table, long home, in TKey key, in TValue value, bool overwrite, Lane? lane)
    {
        if (!Find(table, home, key, out byte* cell, out ulong word, out _))
        {
            return WriteOutcome.Absent;
        }
        if (!overwrite)
        {
            return WriteOutcome.Present;
        }
        lane ??= _region.Lanes.Current;
        if (!table.Cells.TryLock(lane, cell, word))
        {
            return WriteOutcome.Retry;
        }
        WriteValue(table, lane, cell, word, value);
        return WriteOutcome.Updated;
    }

    /// <summary>
    /// Adds a key that was absent, holding the home's insert stripe so that no other process adds the same
    /// key meanwhile; if it appeared before we took the stripe, updates it instead.
    /// </summary>
    private WriteOutcome InsertUnderStripe(SeqTable table, Lane lane, long home, in TKey key, in TValue value, bool overwrite, out long distance)
    {
        distance = 0;
        ulong* stripe = table.Stripes + table.StripeOfHome(home);
        ulong stripeWord = LockStripe(lane, stripe);
        try
        {
            if (!IsWriteTarget(table))
            {
                return WriteOutcome.Retry;
            }
            WriteOutcome outcome;
            while ((outcome = TryUpdate(table, home, key, value, overwrite, lane)) == WriteOutcome.Retry)
            {
            }
            if (outcome != WriteOutcome.Absent)
            {
                return outcome;
            }
            return TryClaimEmpty(table, lane, home, key, value, countDelta: +1, out distance) ? WriteOutcome.Added : WriteOutcome.Full;
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
        }
    }

    /// <summary>
    /// Writes the key into the first empty cell from its home, raising the home's probe limit first; false if no
    /// cell is empty. The caller is the only writer of this home's limit (it holds the stripe, or moves it).
    /// </summary>
    private static bool TryClaimEmpty(SeqTable table, Lane lane, long home, in TKey key, in TValue value, long countDelta, out long distance)
    {
        for (distance = 0; distance < table.CellCount; distance++)
        {
            byte* cell = Cell(table, (home + distance) & table.Mask);
            ulong word = table.Cells.ReadWord(cell);
            if (SeqCells.State(cell) != SeqCellLayout.Empty)
            {
                continue; // a racy look; an empty cell is checked again under its lock
            }
            if (!table.Cells.TryLock(lane, cell, word))
            {
                distance--;
                continue;
            }
            if (SeqCells.State(cell) != SeqCellLayout.Empty)
            {
                SeqCells.Unlock(cell, word);
                continue;
            }
            RaiseProbeLimit(table, home, distance);
            table.Cells.BeginWrite(lane, cell);
            *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Occupied;
            Unsafe.WriteUnaligned(cell + SeqCellLayout.KeyOffset, key);
            Unsafe.WriteUnaligned(cell + ValueOffset, value);
            SeqCells.EndWrite(lane, cell, word, countDelta);
            return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteValue(SeqTable table, Lane lane, byte* cell, ulong lockedFrom, in TValue value)
    {
        table.Cells.BeginWrite(lane, cell);
        Unsafe.WriteUnaligned(cell + ValueOffset, value);
        SeqCells.EndWrite(lane, cell, lockedFrom, countDelta: 0);
    }

    /// <summary>
    /// Makes lookups from <paramref name="home"/> cover <paramref name="distance"/>. Only the home's one writer of
    /// limits calls it, before the key is written: a crash between leaves a limit that is merely large.
    /// </summary>
    private static void RaiseProbeLimit(SeqTable table, long home, long distance)
    {
        uint* limit = (uint*)(Cell(table, home) + SeqCellLayout.ProbeLimitOffset);
        if ((uint)distance > *limit)
        {
            SharedMemory.WriteRelease(limit, (uint)distance);
        }
    }

    private static void ReleaseStripe(Lane lane, ulong* stripe, ulong lockedFrom)
    {
        RobustLock.Release(stripe, lockedFrom);
        lane.ClearHolding();
    }

    /// <summary>Takes an insert stripe, recording it in the lane first so that a crash never strands it.</summary>
    private ulong LockStripe(Lane lane, ulong* stripe)
    {
        lane.MarkHolding(_region.OffsetOf(stripe));
        return RobustLock.Acquire(_region.Lanes, lane, stripe);
    }

    /// <summary><see cref="LockStripe"/> unless a live writer holds the stripe: then false, at once.</summary>
    private bool TryLockStripe(Lane lane, ulong* stripe, out ulong lockedFrom)
    {
        lane.MarkHolding(_region.OffsetOf(stripe));
        if (RobustLock.TryAcquire(_region.Lanes, lane, stripe, recoverDeadOwner: null, out lockedFrom))
        {
            return true;
        }
        lane.ClearHolding();
        return false;
    }
}
