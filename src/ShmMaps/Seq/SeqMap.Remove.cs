using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;
using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>Removes <paramref name="key"/>; gives the value it had. Its cell is free for reuse at once.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        ThrowIfDisposed();
        long home = Home(key);
        Lane? lane = null;
        while (Find(home, key, out byte* cell, out ulong word, out value))
        {
            lane ??= _cells.Lanes.Current;
            if (_cells.TryLock(lane, cell, word))
            {
                _cells.BeginWrite(lane, cell);
                *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Empty;
                SeqCells.EndWrite(lane, cell, word, countDelta: -1);
                long distance = (_cells.IndexOf(cell) - home) & _mask;
                if (distance > 0 && distance == ProbeLimit(Cell(home)))
                {
                    ShrinkProbeLimit(lane, home);
                }
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// After the farthest key of a home left, lowers the home's probe limit to the farthest key it still has,
    /// so that lookups stay as short after any amount of churn as in a fresh map. Holds the home's insert
    /// stripe: no key of this home can be added meanwhile, and removals only make the result conservative.
    /// </summary>
    private void ShrinkProbeLimit(Lane lane, long home)
    {
        ulong* stripe = _stripes + (home >> _stripeShift);
        ulong stripeWord = LockStripe(lane, stripe);
        try
        {
            uint limit = ProbeLimit(Cell(home));
            uint farthest = 0;
            for (uint distance = 1; distance <= limit; distance++)
            {
                if (TryReadCell((home + distance) & _mask, out KeyValuePair<TKey, TValue> entry) && Home(entry.Key) == home)
                {
                    farthest = distance;
                }
            }
            if (farthest < limit)
            {
                SharedMemory.WriteRelease((uint*)(Cell(home) + SeqCellLayout.ProbeLimitOffset), farthest);
            }
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
        }
    }
}
