namespace ShmMaps.Rw;

internal sealed unsafe partial class RwTable
{
    /// <summary>The calling thread's hold records (its lane's), the lane claimed and made ready on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LaneHolds CurrentHolds()
    {
        Lane lane = Lanes.Current;
        object? holds = lane.Attachment;
        return holds is not null ? Unsafe.As<LaneHolds>(holds) : Prepare(lane);
    }

    /// <summary>
    /// First use of a lane by this handle: what the lane's earlier holders (dead processes, or handles closed with locks
    /// still held) left is finished before the lane takes new locks: their lock records, the free-list lock or an element
    /// they had frozen to recount. So no word names an earlier holder of the lane once it is used again, and the
    /// generation bits the words keep never name two holders.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LaneHolds Prepare(Lane lane)
    {
        var holds = new LaneHolds(this, lane);
        lane.Attachment = holds;
        TimeSpan timeout = Region.Options.LockTimeout;
        // Nothing of this handle holds anything through the lane yet: whatever names the lane is an earlier holder's,
        // whatever generation it carries (its 16 or 15 bits may have come round to ours).
        ulong freeListLock = SharedMemory.ReadAcquire(&Control->FreeListLock);
        if (LockWord.IsLocked(freeListLock) && LockWord.OwnerLane(freeListLock) == lane.Index)
        {
            // Taking the lock over from its dead holder finishes what that holder was changing.
            FreeList.TakeOverAndFinish(this, holds, freeListLock);
        }
        long frozen = SharedMemory.ReadAcquire(&lane.Record->KindHeld) - 1;
        if (frozen >= 0 && IsUsedSlot(frozen))
        {
            ulong* word = Word(frozen);
            ulong seen = SharedMemory.ReadAcquire(word);
            // Handed to nobody (CAS: another recoverer may have taken it over), then recovered by us.
            if (ElementWord.IsRecovering(seen) && ElementWord.RecovererLane(seen) == lane.Index
                && SharedMemory.CompareExchange(word, ElementWord.Abandoned(ElementWord.Generation(seen)), seen) == seen)
            {
                ElementRecovery.Recover(this, holds, frozen, timeout);
            }
        }
        SharedMemory.WriteRelease(&lane.Record->KindHeld, 0);
        for (int index = 0; index < holds.Count; index++)
        {
            HoldRecord* record = holds.Record(index);
            ulong state = HoldRecord.Read(record, out ulong element);
            if (HoldRecord.StateOf(state) == HoldState.None)
            {
                continue;
            }
            // Marked an earlier holder's (CAS: a recoverer may have cleared it), so that no one counts it as ours.
            ulong earlier = HoldRecord.WithLaneGeneration(state, lane.Generation - 1);
            if (SharedMemory.CompareExchange(&record->State, earlier, state) != state)
            {
                continue;
            }
            if (index == 0)
            {
                FreeList.FinishDeadLocked(this, holds, record, earlier);
            }
            else if (IsUsedSlot(HoldRecord.SlotOf(element)))
            {
                ElementRecovery.Recover(this, holds, HoldRecord.SlotOf(element), timeout);
            }
            else
            {
                SharedMemory.CompareExchange(&record->State, 0, earlier); // names no slot ever handed out: nothing to undo
            }
        }
        return holds;
    }
}
