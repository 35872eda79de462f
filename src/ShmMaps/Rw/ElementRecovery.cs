namespace ShmMaps.Rw;

/// <summary>
/// Setting an element's lock word right after a holder died: the word is frozen (it names the recoverer),
/// the holders are counted again from the live hold records, a dead writer's unfinished write is undone,
/// dead records are cleared, and the word is released with the new count.
/// </summary>
/// <remarks>
/// A holder writes its record before the CAS that takes the lock, so a record in an Acquiring state may or
/// may not hold the lock; once the word is frozen no CAS can succeed, so such a record soon either becomes a
/// holder or withdraws, and the recoverer waits for that. Waiters never wait in an Acquiring state, so this
/// wait is a few instructions of a running thread. Every step is idempotent: a recoverer that dies is taken
/// over by the next one (its frozen word names a dead lane), which counts and undoes the same way, because
/// nothing else changes the element while it is frozen.
/// </remarks>
internal static unsafe class ElementRecovery
{
    /// <summary>Counts the records naming <paramref name="slot"/> at generation <paramref name="generation"/>, without changing anything.</summary>
    public static HolderCensus Census(RwTable table, long slot, uint generation)
    {
        int readers = 0, writers = 0, pending = 0, dead = 0, pid = 0;
        var alive = new Dictionary<int, bool>();
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            for (int index = 1; index < table.HoldsPerLane; index++)
            {
                HoldRecord* record = table.Hold(lane, index);
                ulong state = HoldRecord.Read(record, out ulong element);
                if (HoldRecord.StateOf(state) == HoldState.None || element != HoldRecord.ElementOf(slot, generation))
                {
                    continue;
                }
                if (!table.IsRecordLive(lane, state, alive))
                {
                    dead++;
                    continue;
                }
                switch (HoldRecord.StateOf(state))
                {
                    case HoldState.ReadAcquiring or HoldState.ReadHeld:
                        readers++;
                        break;
                    case HoldState.WritePending:
                        pending++;
                        continue;   // a waiter, not a holder: not the pid a timeout names
                    default:
                        writers++;
                        break;
                }
                pid = table.Lanes.Record(lane)->Pid;
            }
        }
        return new HolderCensus(readers, writers, pending, dead, pid);
    }

    /// <summary>The pid of the recoverer a frozen word names, for messages (0 if it names no lane).</summary>
    public static int RecovererPid(RwTable table, ulong word)
    {
        int lane = ElementWord.RecovererLane(word);
        return lane < table.Lanes.Count ? table.Lanes.Record(lane)->Pid : 0;
    }

    /// <summary>Whether the recoverer a frozen word names is alive.</summary>
    public static bool IsRecovererAlive(RwTable table, ulong word)
    {
        int lane = ElementWord.RecovererLane(word);
        if (lane >= table.Lanes.Count)
        {
            return false;
        }
        uint generation = SharedMemory.ReadAcquire(&table.Lanes.Record(lane)->Generation);
        return ElementWord.ShortGeneration(generation) == ElementWord.RecovererGeneration(word) && table.Lanes.IsAlive(lane);
    }

    /// <summary>
    /// Recounts <paramref name="slot"/>'s holders on behalf of <paramref name="me"/>. Returns when the word is
    /// no longer frozen by a dead recoverer or by us (another live recoverer may still hold it). A free slot
    /// only has the dead records that name it cleared.
    /// </summary>
    public static void Recover(RwTable table, LaneHolds me, long slot, TimeSpan timeout)
    {
        ulong* word = table.Word(slot);
        // Recorded before the freeze, so that whoever claims our lane after a crash unfreezes it (see RwTable.Prepare).
        SharedMemory.WriteRelease(&me.Lane.Record->KindHeld, slot + 1);
        try
        {
            RecoverRecorded(table, me, slot, timeout, word);
        }
        finally
        {
            // Release: the element is unfrozen (or left to the next recoverer) before the record stops naming it.
            SharedMemory.WriteRelease(&me.Lane.Record->KindHeld, 0);
        }
    }

    private static void RecoverRecorded(RwTable table, LaneHolds me, long slot, TimeSpan timeout, ulong* word)
    {
        ulong seen;
        ulong frozen;
        while (true)
        {
            seen = SharedMemory.ReadAcquire(word);
            if (!ElementWord.IsLive(seen))
            {
                ClearDeadRecords(table, slot, ElementWord.OccupantGeneration(seen));
                return;
            }
            if (ElementWord.IsRecovering(seen) && IsRecovererAlive(table, seen))
            {
                return;
            }
            frozen = ElementWord.Recovering(ElementWord.Generation(seen), me.Lane.Index, me.Lane.Generation);
            // Full fence: from here on no CAS of a holder succeeds, and every record written before one did is visible.
            if (SharedMemory.CompareExchange(word, frozen, seen) == seen)
            {
                break;
            }
        }

        uint generation = ElementWord.Generation(seen);
        int readers = 0;
        bool writer = false, pending = false;
        var alive = new Dictionary<int, bool>();
        var wait = new LockWait(timeout);
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            for (int index = 1; index < table.HoldsPerLane; index++)
            {
                HoldRecord* record = table.Hold(lane, index);
                ulong state = SettledState(table, record, lane, slot, alive, ref wait, word, frozen, out ulong element);
                if (HoldRecord.StateOf(state) == HoldState.None || HoldRecord.SlotOf(element) != slot)
                {
                    continue;
                }
                bool sameGeneration = HoldRecord.GenerationOf(element) == generation;
                if (table.IsRecordLive(lane, state, alive))
                {
                    if (sameGeneration)
                    {
                        switch (HoldRecord.StateOf(state))
                        {
                            case HoldState.ReadHeld:
                                readers++;
                                break;
                            case HoldState.WritePending:
                                pending = true;
                                break;
                            case HoldState.WriteActive or HoldState.WriteDone:
                                writer = true;
                                break;
                        }
                    }
                    continue;
                }
                if (sameGeneration && HoldRecord.StateOf(state) == HoldState.WriteActive)
                {
                    // Undo first, clear after: a recoverer that dies between the two is followed by one that undoes again.
                    Buffer.MemoryCopy(RwTable.UndoImage(record), table.Value(slot), table.ValueSize, table.ValueSize);
                }
                // CAS, not a store: the record may have been cleared by another recoverer, or reused by its lane's next holder.
                SharedMemory.CompareExchange(&record->State, 0, state);
            }
        }
        // Release: the undone value and the cleared records are visible before the element is usable again.
        SharedMemory.CompareExchange(word, ElementWord.Live(generation, writer, pending, (ulong)readers), frozen);
    }

    /// <summary>
    /// The record's state once it is not a live Acquiring one naming this slot (those are a CAS away from holding
    /// or withdrawing). Past the deadline the element is left for another recoverer and a TimeoutException thrown.
    /// </summary>
    private static ulong SettledState(RwTable table, HoldRecord* record, int lane, long slot, Dictionary<int, bool> alive,
        ref LockWait wait, ulong* word, ulong frozen, out ulong element)
    {
        while (true)
        {
            ulong state = HoldRecord.Read(record, out element);
            HoldState kind = HoldRecord.StateOf(state);
            if ((kind != HoldState.ReadAcquiring && kind != HoldState.WriteAcquiring)
                || HoldRecord.SlotOf(element) != slot
                || !table.IsRecordLive(lane, state, alive))
            {
                return state;
            }
            // Its lane's liveness is asked again only when the policy says (the answer above may be cached).
            var holder = (Table: table, Lane: lane, State: state, Alive: alive, Word: (nint)word, Frozen: frozen);
            if (wait.HolderStays(holder,
                static h =>
                {
                    h.Alive.Remove(h.Lane);
                    return h.Table.IsRecordLive(h.Lane, h.State, h.Alive);
                },
                static (h, _) => $"store '{h.Table.Region.Name}': process {h.Table.Lanes.Record(h.Lane)->Pid} (lane {h.Lane}) stays between announcing a lock " +
                    "and taking it; it may be stopped (the lock timeout is ShmOptions.LockTimeout)",
                // Hand the frozen word to whoever comes next: it names no lane, so the next prober takes it over (a CAS:
                // only if the word is still frozen by us; someone may have taken it over).
                static h => SharedMemory.CompareExchange((ulong*)h.Word, ElementWord.Abandoned(ElementWord.Generation(h.Frozen)), h.Frozen)))
            {
                wait.Pause();
            }
        }
    }

    /// <summary>
    /// Clears the records dead processes left naming <paramref name="slot"/> at a generation below
    /// <paramref name="belowGeneration"/> (elements removed since), undoing nothing. Later generations are left
    /// alone: the slot may have been reused since its word was read.
    /// </summary>
    public static void ClearDeadRecords(RwTable table, long slot, uint belowGeneration)
    {
        var alive = new Dictionary<int, bool>();
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            for (int index = 1; index < table.HoldsPerLane; index++)
            {
                HoldRecord* record = table.Hold(lane, index);
                ulong state = HoldRecord.Read(record, out ulong element);
                if (HoldRecord.StateOf(state) == HoldState.None || HoldRecord.SlotOf(element) != slot
                    || HoldRecord.GenerationOf(element) >= belowGeneration
                    || table.IsRecordLive(lane, state, alive))
                {
                    continue;
                }
                // CAS: clears exactly the dead use of the record that was read, never a later one.
                SharedMemory.CompareExchange(&record->State, 0, state);
            }
        }
    }
}
