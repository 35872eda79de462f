using ShmMaps.Core.Registry;
using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>Removes <paramref name="key"/>; gives the value it had. Its cell is free for reuse at once.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        _region.ThrowIfDisposed();
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
                return true;
            }
        }
        return false;
    }
}
