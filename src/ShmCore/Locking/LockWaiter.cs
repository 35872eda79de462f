namespace ShmMaps.Core.Locking;

/// <summary>What a lock's user does with a word in a state only it can explain.</summary>
/// <param name="word">The lock word.</param>
/// <param name="observed">The value seen in it.</param>
internal unsafe delegate void LockWordAction(ulong* word, ulong observed);

/// <summary>
/// Waits for a locked word to be released, recovering it if its owner is dead, or gives up with a
/// <see cref="TimeoutException"/> after <see cref="LaneTable.LockTimeout"/> when a live owner keeps it (the
/// <see cref="LockWait"/> policy).
/// </summary>
internal static unsafe class LockWaiter
{
    /// <summary>
    /// Returns the word at <paramref name="word"/> once it is unlocked. An owner proven dead is recovered by
    /// <paramref name="recoverDeadOwner"/> (it must leave the word no longer locked by that owner), by default
    /// <see cref="LockRecovery.RecoverDeadOwner"/> (undo images in lane intents). A word locked in the name of this
    /// thread's own lane is never waited for (that would wait for ourselves): <paramref name="heldHere"/> says why, by
    /// default a <see cref="CorruptMapException"/> (nothing of this thread holds it, so the file says what is not so).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong WaitUnlocked(LaneTable lanes, ulong* word, ulong observed, LockWordAction? recoverDeadOwner = null, LockWordAction? heldHere = null)
    {
        var wait = new LockWait(lanes.LockTimeout);
        ulong owner = observed & LockWord.OwnerMask;
        if (lanes.CurrentIfClaimed is { } me && owner == me.OwnerTag)
        {
            ThrowHeldHere(lanes, word, observed, heldHere);
        }
        while (true)
        {
            wait.Pause();
            ulong current = SharedMemory.ReadAcquire(word);
            if (!LockWord.IsLocked(current))
            {
                return current;
            }
            if ((current & LockWord.OwnerMask) != owner)
            {
                owner = current & LockWord.OwnerMask;
                wait.Restart();
                continue;
            }
            if (wait.HolderStays((Lanes: lanes, Word: current), static s => !s.Lanes.IsOwnerDead(s.Word), static (s, waited) => TimeoutMessage(s.Lanes, s.Word, waited)))
            {
                continue;
            }
            if (recoverDeadOwner is null)
            {
                LockRecovery.RecoverDeadOwner(lanes, lanes.Memory.OffsetOf(word), current);
            }
            else
            {
                recoverDeadOwner(word, current);
            }
        }
    }

    private static void ThrowHeldHere(LaneTable lanes, ulong* word, ulong observed, LockWordAction? heldHere)
    {
        heldHere?.Invoke(word, observed);
        ThrowHelper.ThrowCorrupt(
            $"map '{lanes.MapName}': the word at offset {lanes.Memory.OffsetOf(word)} is locked in the name of this thread's lane {LockWord.OwnerLane(observed)}, which does not hold it");
    }

    /// <summary>What a wait for a lock word held by a live process says when it times out.</summary>
    public static string TimeoutMessage(LaneTable lanes, ulong word, TimeSpan waited)
    {
        int lane = LockWord.OwnerLane(word);
        return $"map '{lanes.MapName}': a lock is held by live process {lanes.Record(lane)->Pid} (lane {lane}) for {waited.TotalSeconds:F1} s; " +
            "it may be stopped or stuck (the lock timeout is ShmOptions.LockTimeout)";
    }
}
