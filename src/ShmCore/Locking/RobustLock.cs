namespace ShmMaps.Core.Locking;

/// <summary>
/// Taking a robust lock word for a lane: the one acquire path of every lock in ShmMaps (seqlock cells, insert
/// stripes, striped-map stripes, an RwStore's free list).
/// </summary>
/// <remarks>
/// The caller records the word in its lane first (an intent, a held lock, a scope's list), so that a crash after the
/// CAS leaves a trail that whoever claims the lane next, or whoever waits for the word, can finish. The CAS is a full
/// fence: nothing the word guards is read before it is ours. A holder is waited for by <see cref="LockWaiter"/>.
/// </remarks>
internal static unsafe class RobustLock
{
    /// <summary>
    /// Locks <paramref name="word"/> for <paramref name="lane"/>, waiting for a live holder and recovering a dead one
    /// (see <see cref="LockWaiter.WaitUnlocked"/> for <paramref name="recoverDeadOwner"/> and <paramref name="heldHere"/>);
    /// returns the unlocked word it was locked from, which the release turns into the next version.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Acquire(LaneTable lanes, Lane lane, ulong* word, LockWordAction? recoverDeadOwner = null, LockWordAction? heldHere = null)
    {
        ulong seen = SharedMemory.ReadAcquire(word);
        // Full fence (CAS): nothing the word guards is read before it is ours.
        if (!LockWord.IsLocked(seen) && SharedMemory.CompareExchange(word, LockWord.Locked(seen, lane.OwnerTag), seen) == seen)
        {
            return seen;
        }
        return AcquireSlow(lanes, lane, word, recoverDeadOwner, heldHere);
    }

    /// <summary>
    /// Locks <paramref name="word"/> for <paramref name="lane"/> unless a live holder has it (this thread's own lane
    /// included): then false, without waiting. A dead holder is recovered first, as <see cref="Acquire"/> does.
    /// </summary>
    public static bool TryAcquire(LaneTable lanes, Lane lane, ulong* word, LockWordAction? recoverDeadOwner, out ulong lockedFrom)
    {
        while (true)
        {
            ulong seen = SharedMemory.ReadAcquire(word);
            if (!LockWord.IsLocked(seen))
            {
                if (TryAcquireFrom(lane, word, seen))
                {
                    lockedFrom = seen;
                    return true;
                }
                continue;
            }
            if (lanes.IsOwnerDead(seen))
            {
                lockedFrom = AcquireSlow(lanes, lane, word, recoverDeadOwner, heldHere: null);
                return true;
            }
            lockedFrom = 0;
            return false;
        }
    }

    /// <summary>Locks <paramref name="word"/> for <paramref name="lane"/> only if it still is <paramref name="expected"/> (unlocked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAcquireFrom(Lane lane, ulong* word, ulong expected) =>
        // Full fence (CAS): nothing the word guards is read before it is ours.
        SharedMemory.CompareExchange(word, LockWord.Locked(expected, lane.OwnerTag), expected) == expected;

    /// <summary>
    /// The one take-over of a word a gone holder left locked: <paramref name="lane"/> replaces the holder named in
    /// <paramref name="heldAs"/> (a dead process's lane, or this lane's earlier holder) by a CAS; false if the word
    /// changed (another recoverer won, or the holder was not gone). The caller recorded its intent in its lane first, so
    /// that its own death here is recovered the same way; it releases with <see cref="Release"/> from
    /// <paramref name="heldAs"/>, keeping the version the gone holder's lock began.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryTakeOver(Lane lane, ulong* word, ulong heldAs) =>
        // Full fence (CAS): the intent written before is visible to anyone who sees this lane in the word.
        SharedMemory.CompareExchange(word, LockWord.Locked(heldAs, lane.OwnerTag), heldAs) == heldAs;

    /// <summary>Releases a word locked from <paramref name="lockedFrom"/> with the next version (release: every write under it is visible first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Release(ulong* word, ulong lockedFrom) => SharedMemory.WriteRelease(word, LockWord.Released(lockedFrom));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong AcquireSlow(LaneTable lanes, Lane lane, ulong* word, LockWordAction? recoverDeadOwner, LockWordAction? heldHere)
    {
        while (true)
        {
            ulong seen = SharedMemory.ReadAcquire(word);
            if (LockWord.IsLocked(seen))
            {
                seen = LockWaiter.WaitUnlocked(lanes, word, seen, recoverDeadOwner, heldHere);
            }
            if (TryAcquireFrom(lane, word, seen))
            {
                return seen;
            }
        }
    }
}
