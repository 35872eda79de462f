namespace ShmMaps.Rw;

internal static unsafe partial class FreeList
{
    /// <summary>
    /// Under the lock: finishes what a dead lane's allocation record says was under way, then clears it. The
    /// record must belong to a dead holder (checked by the caller).
    /// </summary>
    public static void FinishDead(RwTable table, LaneHolds me, HoldRecord* dead)
    {
        ulong state = SharedMemory.ReadAcquire(&dead->State);
        long slot = HoldRecord.SlotOf(dead->Element);
        if (HoldRecord.StateOf(state) == HoldState.None || !table.IsUsedSlot(slot))
        {
            // CAS: clears exactly the dead use that was read.
            SharedMemory.CompareExchange(&dead->State, 0, state);
            return;
        }
        RwControl* control = table.Control;
        ulong word = SharedMemory.ReadAcquire(table.Word(slot));
        bool listed = control->FreeHead == (ulong)slot + 1;
        bool mustReturn = HoldRecord.StateOf(state) switch
        {
            // Taken from the list unless it still heads it; from the fresh slots unless the counter still names it.
            HoldState.Taking => !listed && control->NextFresh != slot,
            HoldState.Taken => !ElementWord.IsLive(word) && !ElementWord.IsRetired(word)
                && ElementWord.OccupantGeneration(word) == HoldRecord.GenerationOf(dead->Element),
            HoldState.Returning => !listed,
            HoldState.Removing => !ElementWord.IsLive(word) && !ElementWord.IsRetired(word) && !listed
                && ElementWord.Generation(word) == HoldRecord.GenerationOf(dead->Element) + 1,
            _ => false,
        };
        if (!mustReturn)
        {
            // CAS: clears exactly the dead use that was read.
            SharedMemory.CompareExchange(&dead->State, 0, state);
            return;
        }
        // Our own record first, then the dead one cleared, then the link: a crash at any step leaves one
        // record saying Returning, which the next owner finishes exactly once.
        bool ours = dead == me.Allocation;
        Announce(me.Allocation, me, HoldState.Returning, slot, 0);
        if (!ours && SharedMemory.CompareExchange(&dead->State, 0, state) != state)
        {
            // Someone else finished it: withdraw our announcement.
            SharedMemory.WriteRelease(&me.Allocation->State, 0);
            return;
        }
        Link(table, slot);
        // Release: the slot is linked before the record stops announcing it.
        SharedMemory.WriteRelease(&me.Allocation->State, 0);
    }

    /// <summary>
    /// Takes the lock and finishes a dead holder's allocation record <paramref name="dead"/> if it still says
    /// <paramref name="seen"/> (taking the lock may already have finished it, if the dead holder held the lock).
    /// </summary>
    public static void FinishDeadLocked(RwTable table, LaneHolds me, HoldRecord* dead, ulong seen)
    {
        Lock(table, me);
        try
        {
            if (SharedMemory.ReadAcquire(&dead->State) == seen)
            {
                FinishDead(table, me, dead);
            }
        }
        finally
        {
            Unlock(table);
        }
    }

    private static void Link(RwTable table, long slot)
    {
        RwControl* control = table.Control;
        ulong* word = table.Word(slot);
        ulong free = SharedMemory.ReadAcquire(word);
        // Release: the link is in the slot's word before the head names the slot.
        SharedMemory.WriteRelease(word, ElementWord.Free(ElementWord.Generation(free), control->FreeHead));
        control->FreeHead = (ulong)slot + 1;
    }
}
