using System.Runtime.CompilerServices;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;
using ShmMaps.Keys;
using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding the key if absent (upsert).</summary>
    public void Insert(TKey key, TValue value) => Upsert(key, value, overwrite: true);

    /// <summary>Adds <paramref name="key"/> if absent; false (and no change) if present.</summary>
    public bool TryAdd(TKey key, TValue value) => Upsert(key, value, overwrite: false);

    private bool Upsert(in TKey key, in TValue value, bool overwrite)
    {
        ThrowIfDisposed();
        long home = Home(key);
        Lane? lane = null;
        while (Find(home, key, out byte* cell, out ulong word, out _))
        {
            if (!overwrite)
            {
                return false;
            }
            lane ??= _cells.Lanes.Current;
            // The CAS succeeds only if the word is still the one under which the cell held our key.
            if (_cells.TryLock(lane, cell, word))
            {
                WriteValue(lane, cell, word, value);
                return true;
            }
        }
        return InsertUnderStripe(lane ?? _cells.Lanes.Current, home, key, value, overwrite);
    }

    /// <summary>
    /// Adds a key that was absent, holding the home's insert stripe so that no other process adds the same
    /// key meanwhile; if it appeared before we took the stripe, updates it instead.
    /// </summary>
    private bool InsertUnderStripe(Lane lane, long home, in TKey key, in TValue value, bool overwrite)
    {
        ulong* stripe = _stripes + (home >> _stripeShift);
        ulong stripeWord = LockStripe(lane, stripe);
        try
        {
            while (Find(home, key, out byte* cell, out ulong word, out _))
            {
                if (!overwrite)
                {
                    return false;
                }
                if (_cells.TryLock(lane, cell, word))
                {
                    WriteValue(lane, cell, word, value);
                    return true;
                }
            }
            for (long distance = 0; distance < _cells.Count; distance++)
            {
                byte* cell = Cell((home + distance) & _mask);
                ulong word = _cells.ReadWord(cell);
                if (SeqCells.State(cell) != SeqCellLayout.Empty)
                {
                    continue; // a racy look; an empty cell is checked again under its lock
                }
                if (!_cells.TryLock(lane, cell, word))
                {
                    distance--;
                    continue;
                }
                if (SeqCells.State(cell) != SeqCellLayout.Empty)
                {
                    SeqCells.Unlock(cell, word);
                    continue;
                }
                RaiseProbeLimit(home, distance);
                _cells.BeginWrite(lane, cell);
                *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Occupied;
                Unsafe.WriteUnaligned(cell + SeqCellLayout.KeyOffset, key);
                Unsafe.WriteUnaligned(cell + ValueOffset, value);
                SeqCells.EndWrite(lane, cell, word, countDelta: +1);
                return true;
            }
            ThrowHelper.ThrowMapFull(Name, Capacity);
            return false;
        }
        finally
        {
            ReleaseStripe(lane, stripe, stripeWord);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteValue(Lane lane, byte* cell, ulong lockedFrom, in TValue value)
    {
        _cells.BeginWrite(lane, cell);
        Unsafe.WriteUnaligned(cell + ValueOffset, value);
        SeqCells.EndWrite(lane, cell, lockedFrom, countDelta: 0);
    }

    /// <summary>
    /// Makes lookups from <paramref name="home"/> cover <paramref name="distance"/>. Only the stripe holder
    /// writes a home's limit, and before the key is written: a crash between leaves a limit that is merely large.
    /// </summary>
    private void RaiseProbeLimit(long home, long distance)
    {
        uint* limit = (uint*)(Cell(home) + SeqCellLayout.ProbeLimitOffset);
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
        lane.MarkHolding(_region.Memory.OffsetOf(stripe));
        return RobustLock.Acquire(_region.Lanes, lane, stripe);
    }
}
