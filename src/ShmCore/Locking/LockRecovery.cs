namespace ShmMaps.Core.Locking;

/// <summary>
/// Finishing what a dead lock owner left: restore its undo image if it was mid-write, then unlock.
/// </summary>
/// <remarks>
/// A dead owner's intent is stable while its word stays locked by it: the owner cannot change it, and
/// a process that claims the dead lane first tries to recover that word itself, changing the intent only
/// afterwards. Exactly one recoverer wins the CAS from the dead owner to itself.
/// <para/>
/// A recoverer of another lane copies the dead undo image into its own lane and marks it Active before
/// its CAS, so that if it dies too, the next recoverer restores the same image. The entry count follows
/// the same rule: rolling back must leave the dead lane's count at its target; the recoverer carries the
/// difference on its own lane (the dead lane may already belong to a new holder).
/// </remarks>
internal static unsafe class LockRecovery
{
    /// <summary>
    /// Recovers the word at <paramref name="lockOffset"/> whose value <paramref name="observed"/> names an owner
    /// proven dead. Returns when the word is no longer locked by that owner (by us or anyone).
    /// </summary>
    public static void RecoverDeadOwner(LaneTable lanes, long lockOffset, ulong observed)
    {
        MapAddressSpace memory = lanes.Memory;
        ulong* word = (ulong*)memory.Pointer(lockOffset, sizeof(ulong), sizeof(ulong));
        LaneRecord* dead = lanes.Record(LockWord.OwnerLane(observed));
        if (TryRollForward(lanes, word, lockOffset, observed, dead))
        {
            return;
        }
        var state = (IntentState)SharedMemory.ReadAcquire(&dead->IntentState);
        if (dead->IntentLockOffset != lockOffset || state != IntentState.Active)
        {
            // Locking, Done, a plain held lock, or no intent for this word: the protected bytes are whole.
            SharedMemory.CompareExchange(word, LockWord.Released(observed), observed);
            return;
        }

        byte* deadImage = lanes.UndoImageOf(dead, out int length);
        long dataOffset = dead->IntentDataOffset;
        byte* data = memory.Pointer(dataOffset, length);
        long correction = dead->CountTarget - SharedMemory.ReadAcquire(&dead->EntryCount);

        Lane me = lanes.Current;
        me.MarkLocking(lockOffset);
        me.SaveUndoFrom(dataOffset, deadImage, length, me.Record->EntryCount + correction);
        if (!RobustLock.TryTakeOver(me, word, observed))
        {
            return; // another recoverer won; our Active intent names a word we do not hold, which recovery ignores
        }
        Unsafe.CopyBlockUnaligned(data, me.UndoImage, (uint)length);
        me.Commit(correction);
        RobustLock.Release(word, observed);
    }

    /// <summary>
    /// Called by the new holder of a lane right after bumping its generation: releases the plain lock and
    /// recovers the word the previous holder may have left locked, restoring its own lane's undo image.
    /// </summary>
    public static void FinishClaimedLane(Lane lane)
    {
        LaneTable lanes = lane.Table;
        LaneRecord* record = lane.Record;
        MapAddressSpace memory = lanes.Memory;
        long held = record->HeldLockOffset;
        if (held != 0)
        {
            ulong* heldWord = (ulong*)memory.Pointer(held, sizeof(ulong), sizeof(ulong));
            ulong seen = SharedMemory.ReadAcquire(heldWord);
            if (IsLockedByLaneBeingClaimed(seen, lane))
            {
                SharedMemory.CompareExchange(heldWord, LockWord.Released(seen), seen);
            }
            lane.ClearHolding();
        }

        var state = (IntentState)SharedMemory.ReadAcquire(&record->IntentState);
        long intentOffset = record->IntentLockOffset;
        if (state != IntentState.Idle && intentOffset != 0)
        {
            ulong* word = (ulong*)memory.Pointer(intentOffset, sizeof(ulong), sizeof(ulong));
            ulong seen = SharedMemory.ReadAcquire(word);
            if (IsLockedByLaneBeingClaimed(seen, lane))
            {
                if (state != IntentState.Active)
                {
                    SharedMemory.CompareExchange(word, LockWord.Released(seen), seen);
                }
                else if (RobustLock.TryTakeOver(lane, word, seen))
                {
                    // The intent (image, data offset, count target) stays as the dead holder left it, so a
                    // crash of ours here is recovered the same way.
                    lanes.UndoImageOf(record, out int length);
                    byte* data = memory.Pointer(record->IntentDataOffset, length);
                    Unsafe.CopyBlockUnaligned(data, lane.UndoImage, (uint)length);
                    SharedMemory.WriteRelease(&record->EntryCount, record->CountTarget);
                    SharedMemory.WriteRelease(&record->IntentState, (uint)IntentState.Done);
                    RobustLock.Release(word, seen);
                }
            }
        }
        switch ((ScopeState)SharedMemory.ReadAcquire(&record->ScopeState))
        {
            case ScopeState.Committing:
                FinishClaimedScope(lanes, lane);
                break;
            case ScopeState.Holding:
                ReleaseClaimedScope(lanes, lane);
                break;
        }
        SharedMemory.WriteRelease(&record->IntentState, (uint)IntentState.Idle);
    }

    /// <summary>
    /// The new holder of a lane whose previous holder died holding a scope's words (not yet committing): releases
    /// every listed word still locked by an earlier holder of the lane (nothing was written under them), then ends the
    /// scope. Words a waiter recovered meanwhile are left as they are.
    /// </summary>
    private static void ReleaseClaimedScope(LaneTable lanes, Lane lane)
    {
        MapAddressSpace memory = lanes.Memory;
        foreach (long offset in ScopeLog.LockOffsets(memory, lane.Record, lanes.UndoCapacity))
        {
            ulong* word = (ulong*)memory.Pointer(offset, sizeof(ulong), sizeof(ulong));
            ulong seen = SharedMemory.ReadAcquire(word);
            if (IsLockedByLaneBeingClaimed(seen, lane))
            {
                // CAS: a waiter that found the holder dead may have released it already.
                SharedMemory.CompareExchange(word, LockWord.Released(seen), seen);
            }
        }
        lane.FinishScope();
    }

    /// <summary>
    /// If the dead owner of the word was committing a scope that covers it, or was itself applying such a
    /// scope to it, applies that scope's records for the word, sets the scope lane's count to its target,
    /// and releases the word. False if neither: the ordinary recovery applies.
    /// </summary>
    private static bool TryRollForward(LaneTable lanes, ulong* word, long lockOffset, ulong observed, LaneRecord* dead)
    {
        MapAddressSpace memory = lanes.Memory;
        int deadIndex = LockWord.OwnerLane(observed);
        int scopeIndex;
        if (SharedMemory.ReadAcquire(&dead->ScopeState) == (uint)ScopeState.Committing && ScopeLog.Covers(memory, dead, lanes.UndoCapacity, lockOffset))
        {
            scopeIndex = deadIndex;
        }
        else if (SharedMemory.ReadAcquire(&dead->IntentState) == (uint)IntentState.RollingForward && dead->IntentLockOffset == lockOffset)
        {
            scopeIndex = dead->RollForwardLane;
        }
        else
        {
            return false;
        }

        LaneRecord* scope = lanes.Record(scopeIndex);
        Lane me = lanes.Current;
        me.MarkRollingForward(lockOffset, scopeIndex);
        if (RobustLock.TryTakeOver(me, word, observed))
        {
            // Held by us now: the scope still covers the word unless it was finished, which needs this word free.
            if (SharedMemory.ReadAcquire(&scope->ScopeState) == (uint)ScopeState.Committing && ScopeLog.Covers(memory, scope, lanes.UndoCapacity, lockOffset))
            {
                ScopeLog.Apply(memory, scope, lanes.UndoCapacity, lockOffset);
                SharedMemory.WriteRelease(&scope->EntryCount, scope->ScopeCountTarget);
            }
            me.MarkDone();
            RobustLock.Release(word, observed);
        }
        else
        {
            me.MarkDone(); // another recoverer won the word
        }
        return true;
    }

    /// <summary>
    /// The new holder of a lane whose previous holder died committing a scope: applies the records of every
    /// word still held by that holder or by a dead recoverer of it, waits for live recoverers, then sets the
    /// count to the scope's target and ends the scope, before the lane is used for anything else.
    /// </summary>
    private static void FinishClaimedScope(LaneTable lanes, Lane lane)
    {
        MapAddressSpace memory = lanes.Memory;
        LaneRecord* record = lane.Record;
        foreach (long offset in ScopeLog.LockOffsets(memory, record, lanes.UndoCapacity))
        {
            ulong* word = (ulong*)memory.Pointer(offset, sizeof(ulong), sizeof(ulong));
            var wait = new LockWait(lanes.LockTimeout);
            while (true)
            {
                ulong seen = SharedMemory.ReadAcquire(word);
                if (!LockWord.IsLocked(seen) || !IsScopeChain(lanes, seen, lane, offset))
                {
                    break; // applied and released already (a later holder may have it now)
                }
                // A recoverer other than this lane's dead holder is applying this word's records: wait while it lives.
                if (!IsLockedByLaneBeingClaimed(seen, lane)
                    && wait.HolderStays((Lanes: lanes, Word: seen), static s => !s.Lanes.IsOwnerDead(s.Word), static (s, waited) =>
                        $"map '{s.Lanes.MapName}': a live process (lane {LockWord.OwnerLane(s.Word)}) has been applying a dead writer's scope for {waited.TotalSeconds:F1} s " +
                        "(the lock timeout is ShmOptions.LockTimeout)"))
                {
                    wait.Pause();
                    continue;
                }
                lane.MarkRollingForward(offset, lane.Index);
                if (RobustLock.TryTakeOver(lane, word, seen))
                {
                    ScopeLog.Apply(memory, record, lanes.UndoCapacity, offset);
                    lane.MarkDone();
                    RobustLock.Release(word, seen);
                    break;
                }
            }
        }
        SharedMemory.WriteRelease(&record->EntryCount, record->ScopeCountTarget);
        lane.FinishScope();
    }

    /// <summary>True if the locked word is held by this lane's earlier holder, or by a recoverer applying this lane's scope to it.</summary>
    private static bool IsScopeChain(LaneTable lanes, ulong seen, Lane lane, long offset)
    {
        if (IsLockedByLaneBeingClaimed(seen, lane))
        {
            return true;
        }
        LaneRecord* holder = lanes.Record(LockWord.OwnerLane(seen));
        return SharedMemory.ReadAcquire(&holder->IntentState) == (uint)IntentState.RollingForward
            && holder->IntentLockOffset == offset && holder->RollForwardLane == lane.Index;
    }

    /// <summary>
    /// True if the word is locked in the name of <paramref name="lane"/>, which is being claimed: its new holder has locked
    /// nothing yet, so the word is an earlier holder's, whatever generation it names (16 bits of it may have come round).
    /// </summary>
    private static bool IsLockedByLaneBeingClaimed(ulong word, Lane lane) =>
        LockWord.IsLocked(word) && LockWord.OwnerLane(word) == lane.Index;
}
