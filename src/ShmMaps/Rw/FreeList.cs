namespace ShmMaps.Rw;

/// <summary>
/// Handing out slots and taking them back: a list of free slots linked through their element words, and the
/// never-used slots past <see cref="RwControl.NextFresh"/>, both changed only under one robust lock.
/// </summary>
/// <remarks>
/// Every change is announced in the changer's allocation record (with the slot it concerns) before it is
/// made, so a waiter that finds the lock's owner dead can tell from the list itself whether the change
/// happened, and finish it: a slot taken but never made live, or freed but not yet linked, goes back on the
/// list; nothing is lost and nothing is listed twice. A slot an insert took and whose process died before
/// making it live (state <see cref="HoldState.Taken"/>, lock already released) is returned by the next holder
/// of that lane, or by <c>shm recover</c>; until then it is only unused.
/// </remarks>
internal static unsafe partial class FreeList
{
    /// <summary>Takes the lock for <paramref name="me"/>, finishing a dead owner's change first (<see cref="TakeOverAndFinish"/>).</summary>
    public static void Lock(RwTable table, LaneHolds me) =>
        RobustLock.Acquire(table.Lanes, me.Lane, &table.Control->FreeListLock, table.FinishDeadFreeListOwner);

    /// <summary>Releases the lock: the list, the fresh counter and the allocation record are final before the next owner reads them.</summary>
    public static void Unlock(RwTable table)
    {
        ulong* word = &table.Control->FreeListLock;
        RobustLock.Release(word, SharedMemory.ReadAcquire(word));
    }

    /// <summary>Under the lock: takes a slot for an insert and says so in <paramref name="me"/>'s allocation record. False when the store is full.</summary>
    public static bool Take(RwTable table, LaneHolds me, out long slot, out uint generation)
    {
        RwControl* control = table.Control;
        HoldRecord* record = me.Allocation;
        ulong head = control->FreeHead;
        if (head != 0)
        {
            slot = (long)head - 1;
            if (!table.IsUsedSlot(slot))
            {
                ThrowHelper.ThrowCorrupt($"store '{table.Region.Name}': the free list names slot {slot}, which was never handed out ({table.UsedSlots} were)");
            }
            ulong free = SharedMemory.ReadAcquire(table.Word(slot));
            if (ElementWord.IsLive(free) || ElementWord.IsRetired(free))
            {
                ThrowHelper.ThrowCorrupt($"store '{table.Region.Name}': the free list names slot {slot}, which is not free");
            }
            generation = ElementWord.OccupantGeneration(free);
            Announce(record, me, HoldState.Taking, slot, generation);
            control->FreeHead = ElementWord.Link(free);
        }
        else
        {
            slot = control->NextFresh;
            if (slot < 0)
            {
                ThrowHelper.ThrowCorrupt($"store '{table.Region.Name}': the next fresh slot is {slot}");
            }
            if (slot >= table.MaxElements)
            {
                generation = 0;
                return false;
            }
            table.ReserveBlockStartingAt(slot);
            generation = 1;
            Announce(record, me, HoldState.Taking, slot, generation);
            // Release: inspectors read the counter without the lock; the slot's announcement comes first.
            SharedMemory.WriteRelease(&control->NextFresh, slot + 1);
        }
        // Release: the list change comes before Taken (a crash between them is read from the list).
        SharedMemory.WriteRelease(&record->State, me.NextWord(HoldState.Taken));
        return true;
    }

    /// <summary>
    /// Under the lock and the element's write lock (held through <paramref name="writeRecord"/>): frees the element,
    /// which ends its id and releases the write lock in one CAS, and links its slot in front of the list.
    /// </summary>
    public static void Remove(RwTable table, LaneHolds me, HoldRecord* writeRecord, ulong* word)
    {
        RwControl* control = table.Control;
        long slot = HoldRecord.SlotOf(writeRecord->Element);
        uint generation = HoldRecord.GenerationOf(writeRecord->Element);
        HoldRecord* record = me.Allocation;
        Announce(record, me, HoldState.Removing, slot, generation);
        uint next = generation + 1;
        ulong seen = SharedMemory.ReadAcquire(word);
        while (true)
        {
            if (ElementWord.IsRecovering(seen))
            {
                seen = ElementLocks.WaitOutRecovery(table, writeRecord, word, seen, "a write lock");
                continue;
            }
            if (!ElementWord.IsLiveAt(seen, generation) || !ElementWord.HasWriter(seen))
            {
                ThrowHelper.ThrowCorrupt($"store '{table.Region.Name}': slot {slot} lost its write lock (word 0x{seen:x16})");
            }
            // One CAS releases the write lock, ends the id, and links the slot in front of the list; a slot whose
            // generations are used up is retired instead, so no id ever names two elements.
            ulong freed = next == 0 ? ElementWord.Retired(generation) : ElementWord.Free(next, control->FreeHead);
            // Full fence: the element's last value and its end are visible together with the freed word.
            ulong found = SharedMemory.CompareExchange(word, freed, seen);
            if (found == seen)
            {
                break;
            }
            seen = found;
        }
        if (next != 0)
        {
            control->FreeHead = (ulong)slot + 1;
        }
        // Release: the change is complete before the record stops announcing it.
        SharedMemory.WriteRelease(&record->State, 0);
    }

    private static void Announce(HoldRecord* record, LaneHolds me, HoldState state, long slot, uint generation)
    {
        record->Element = HoldRecord.ElementOf(slot, generation);
        // Release: the slot is named before the state, and both before the change they announce.
        SharedMemory.WriteRelease(&record->State, me.NextWord(state));
        SharedMemory.StoreStoreBarrier();
    }

    /// <summary>
    /// Exactly one waiter takes the lock over from its dead owner (the CAS), finishes the owner's change and lets
    /// the lock go; then every waiter competes for it again.
    /// </summary>
    public static void TakeOverAndFinish(RwTable table, LaneHolds me, ulong dead)
    {
        ulong* word = &table.Control->FreeListLock;
        if (!RobustLock.TryTakeOver(me.Lane, word, dead))
        {
            return;
        }
        try
        {
            FinishDead(table, me, table.Hold(LockWord.OwnerLane(dead), 0));
        }
        finally
        {
            Unlock(table);
        }
    }
}
