using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>Removes <paramref name="key"/>; gives the value it had. Its cell is free for reuse at once.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        ThrowIfDisposed();
        ulong hash = Hash(key);
        Lane? lane = null;
        while (true)
        {
            SeqView view = View();
            SeqTable table = view.Newest;
            if (view.Older is not null)
            {
                Help(view, hash);
            }
            switch (RemoveIn(table, ref lane, table.Home(hash), key, out value))
            {
                case WriteOutcome.Retry:
                    continue;
                case WriteOutcome.Absent:
                    return false;
            }
            _retirement.AfterWrite(view.State);
            return true;
        }
    }

    private WriteOutcome RemoveIn(SeqTable table, ref Lane? lane, long home, in TKey key, out TValue value)
    {
        while (Find(table, home, key, out byte* cell, out ulong word, out value))
        {
            lane ??= _region.Lanes.Current;
            if (!table.Cells.TryLock(lane, cell, word))
            {
                continue;
            }
            if (!IsWriteTarget(table))
            {
                SeqCells.Unlock(cell, word);
                return WriteOutcome.Retry;
            }
            table.Cells.BeginWrite(lane, cell);
            *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Empty;
            SeqCells.EndWrite(lane, cell, word, countDelta: -1);
            long distance = (table.Cells.IndexOf(cell) - home) & table.Mask;
            if (distance > 0 && distance == ProbeLimit(table, Cell(table, home)))
            {
                ShrinkProbeLimit(table, lane, home);
            }
            return WriteOutcome.Updated;
        }
        return WriteOutcome.Absent;
    }

    /// <summary>
    /// After the farthest key of a home left, lowers the home's probe limit to the farthest key it still has,
    /// so that lookups stay as short after any amount of churn as in a fresh map. Holds the home's insert
    /// stripe: no key of this home can be added meanwhile, and removals only make the result conservative.
    /// </summary>
    private void ShrinkProbeLimit(SeqTable table, Lane lane, long home)
    {
        ulong* stripe = table.Stripes + table.StripeOfHome(home);
        ulong stripeWord = LockStripe(lane, stripe);
        try
        {
            if (!IsWriteTarget(table))
            {
                return; // the table is being copied: its limits no longer change
            }
            uint limit = ProbeLimit(table, Cell(table, home));
            uint farthest = 0;
            for (uint distance = 1; distance <= limit; distance++)
            {
                ReadCell(table, Cell(table, (home + distance) & table.Mask), out uint state, out TKey key, out _);
                if (state == SeqCellLayout.Occupied && table.Home(Hash(key)) == home)
                {
                    farthest = distance;
                }
            }
            if (farthest < limit)
            {
                SharedMemory.WriteRelease((uint*)(Cell(table, home) + SeqCellLayout.ProbeLimitOffset), farthest);
            }
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
        }
    }
}
