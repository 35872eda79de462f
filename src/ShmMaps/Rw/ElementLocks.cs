using System.Diagnostics.CodeAnalysis;

namespace ShmMaps.Rw;

/// <summary>
/// Taking and releasing an element's reader-writer lock, beyond the one-CAS fast paths of <see cref="RwStore{T}"/>:
/// waiting, the writer-pending bit, probing the holders after a while, and recovery when one of them is dead.
/// </summary>
/// <remarks>
/// A taker writes its hold record (Acquiring) before the CAS on the element word and changes it after, so the
/// records always explain the word. A waiter never waits with an Acquiring record: a reader withdraws its
/// record, a writer turns it into WritePending (and sets the element's pending bit, which turns new readers
/// away until it is in). After <see cref="LockWait.FirstProbe"/>, and every <see cref="LockWait.ProbeInterval"/>,
/// a waiter compares the word with the live records; a holder no live record explains means a dead holder,
/// and the waiter recounts (<see cref="ElementRecovery"/>). A live holder is waited for until the timeout.
/// </remarks>
internal static unsafe partial class ElementLocks
{
    /// <summary>
    /// Takes the lock on the element <paramref name="element"/> (slot and generation) for <paramref name="record"/>.
    /// Returns the record's state word while held, or 0 when the id is not live or the timeout passed
    /// (<paramref name="throwOnTimeout"/>: a <see cref="TimeoutException"/> naming a holder instead).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong Acquire(RwTable table, LaneHolds holds, HoldRecord* record, ulong element, bool write, TimeSpan timeout, bool throwOnTimeout)
    {
        long slot = HoldRecord.SlotOf(element);
        uint generation = HoldRecord.GenerationOf(element);
        ulong* word = table.Word(slot);
        HoldState acquiring = write ? HoldState.WriteAcquiring : HoldState.ReadAcquiring;
        var wait = new LockWait(timeout);
        int holderPid = 0;
        while (true)
        {
            ulong announced = holds.NextWord(acquiring);
            record->Element = element;
            // Release: the element named is published with the state, before the CAS below.
            SharedMemory.WriteRelease(&record->State, announced);
            ulong seen = SharedMemory.ReadAcquire(word);
            while (write ? ElementWord.WritableAt(seen, generation) : ElementWord.ReadableAt(seen, generation))
            {
                ulong desired = write ? (seen & ~ElementWord.PendingBit) | ElementWord.WriterBit : seen + 1;
                // Full fence: the Acquiring record is visible to anyone who sees us in the word.
                ulong found = SharedMemory.CompareExchange(word, desired, seen);
                if (found == seen)
                {
                    return write ? BeginWrite(table, record, announced, slot) : Hold(record, announced, HoldState.ReadHeld);
                }
                seen = found;
            }
            if (!ElementWord.IsLiveAt(seen, generation))
            {
                Withdraw(record, word, generation, write);
                return 0;
            }
            if (write)
            {
                // Release: a waiting writer, not a holder; recoverers count it as a pending bit, never wait for it.
                SharedMemory.WriteRelease(&record->State, holds.NextWord(HoldState.WritePending));
                if (!ElementWord.IsRecovering(seen) && !ElementWord.HasPending(seen) && ElementWord.Readers(seen) > 0)
                {
                    // Full fence: the WritePending record is visible before the bit that it explains.
                    SharedMemory.CompareExchange(word, seen | ElementWord.PendingBit, seen);
                }
            }
            else
            {
                // Release: a waiting reader holds nothing (a recoverer must not wait for it).
                SharedMemory.WriteRelease(&record->State, 0);
            }

            if (timeout == TimeSpan.Zero || wait.Expired)
            {
                Withdraw(record, word, generation, write);
                if (throwOnTimeout && timeout != TimeSpan.Zero)
                {
                    wait.ThrowTimeout((Table: table, Slot: slot, Pid: holderPid), static (s, waited) => TimeoutMessage(s.Table, s.Slot, s.Pid, waited));
                }
                return 0;
            }
            if (wait.ProbeDue())
            {
                try
                {
                    holderPid = Probe(table, holds, slot, generation);
                }
                catch
                {
                    // A recovery that timed out: leave no record (nor pending bit) of ours behind.
                    Withdraw(record, word, generation, write);
                    throw;
                }
            }
            wait.Pause();
        }
    }

    /// <summary>Throws for a lock used after its release.</summary>
    [DoesNotReturn]
    public static void ThrowReleased() => throw new ObjectDisposedException("lock", "the element lock was released (disposed)");

    private static ulong Hold(HoldRecord* record, ulong announced, HoldState state)
    {
        ulong held = HoldRecord.WithState(announced, state);
        // Release: the record says it holds only after the CAS that made it hold.
        SharedMemory.WriteRelease(&record->State, held);
        return held;
    }

    private static ulong BeginWrite(RwTable table, HoldRecord* record, ulong announced, long slot)
    {
        Buffer.MemoryCopy(table.Value(slot), RwTable.UndoImage(record), table.ValueSize, table.ValueSize);
        // Release: the undo image is complete before Active; no store of the caller's may come before it.
        ulong held = Hold(record, announced, HoldState.WriteActive);
        SharedMemory.StoreStoreBarrier();
        return held;
    }

    /// <summary>Gives up waiting: the record is freed, and a writer takes back the pending bit it may have set.</summary>
    private static void Withdraw(HoldRecord* record, ulong* word, uint generation, bool write)
    {
        // Release: the record is freed before the pending bit it explained is cleared.
        SharedMemory.WriteRelease(&record->State, 0);
        if (!write)
        {
            return;
        }
        ulong seen = SharedMemory.ReadAcquire(word);
        while (ElementWord.IsLiveAt(seen, generation) && !ElementWord.IsRecovering(seen) && ElementWord.HasPending(seen) && !ElementWord.HasWriter(seen))
        {
            // Another waiting writer sets it again on its next look.
            ulong found = SharedMemory.CompareExchange(word, seen & ~ElementWord.PendingBit, seen);
            if (found == seen)
            {
                return;
            }
            seen = found;
        }
    }

    /// <summary>Looks at the element's holders: recovers it if a dead one is found; returns a live holder's pid.</summary>
    private static int Probe(RwTable table, LaneHolds holds, long slot, uint generation)
    {
        ulong* word = table.Word(slot);
        ulong seen = SharedMemory.ReadAcquire(word);
        if (!ElementWord.IsLiveAt(seen, generation))
        {
            return 0;
        }
        if (ElementWord.IsRecovering(seen))
        {
            if (!ElementRecovery.IsRecovererAlive(table, seen))
            {
                ElementRecovery.Recover(table, holds, slot, table.Region.Options.LockTimeout);
            }
            return ElementRecovery.RecovererPid(table, seen);
        }
        HolderCensus census = ElementRecovery.Census(table, slot, generation);
        if (census.NeedsRecovery(seen))
        {
            ElementRecovery.Recover(table, holds, slot, table.Region.Options.LockTimeout);
        }
        return census.HolderPid;
    }

    private static string TimeoutMessage(RwTable table, long slot, int pid, TimeSpan waited) =>
        $"store '{table.Region.Name}': element in slot {slot} is locked by {(pid == 0 ? "a live process" : $"live process {pid}")} for {waited.TotalSeconds:F1} s; " +
        "it may be stopped or stuck (the lock timeout is ShmOptions.LockTimeout)";
}
