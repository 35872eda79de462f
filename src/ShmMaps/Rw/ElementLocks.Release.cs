namespace ShmMaps.Rw;

internal static unsafe partial class ElementLocks
{
    /// <summary>
    /// Releases a read lock whose record says <paramref name="held"/>; nothing if it was released already, or if the
    /// store handle was disposed (its lanes went with it, so others already treat the lock as a dead process's).
    /// </summary>
    public static void ReleaseRead(RwTable table, HoldRecord* record, ulong held, ulong* word)
    {
        if (table.Region.IsDisposed || SharedMemory.ReadAcquire(&record->State) != held)
        {
            return;
        }
        ulong seen = SharedMemory.ReadAcquire(word);
        while (true)
        {
            if (!ElementWord.IsRecovering(seen) && ElementWord.Readers(seen) != 0)
            {
                // Full fence: our reads of the value are done before a writer can see the count drop.
                ulong found = SharedMemory.CompareExchange(word, seen - 1, seen);
                if (found == seen)
                {
                    break;
                }
                seen = found;
                continue;
            }
            seen = WaitOutRecovery(table, record, word, seen, "a read lock");
        }
        // Release: the record is free only after the word no longer counts it.
        SharedMemory.WriteRelease(&record->State, 0);
    }

    /// <summary>
    /// Releases a write lock whose record says <paramref name="held"/>; nothing if it was released already, or if the
    /// store handle was disposed (its lanes went with it, so others already treat the lock as a dead process's).
    /// </summary>
    public static void ReleaseWrite(RwTable table, HoldRecord* record, ulong held, ulong* word)
    {
        if (table.Region.IsDisposed || SharedMemory.ReadAcquire(&record->State) != held)
        {
            return;
        }
        // Release: the new value is complete before Done, after which no recovery rolls it back.
        SharedMemory.WriteRelease(&record->State, HoldRecord.WithState(held, HoldState.WriteDone));
        ulong seen = SharedMemory.ReadAcquire(word);
        while (true)
        {
            if (!ElementWord.IsRecovering(seen) && ElementWord.HasWriter(seen))
            {
                // Full fence: the new value is visible to whoever takes the lock next.
                ulong found = SharedMemory.CompareExchange(word, seen & ~ElementWord.WriterBit, seen);
                if (found == seen)
                {
                    break;
                }
                seen = found;
                continue;
            }
            seen = WaitOutRecovery(table, record, word, seen, "a write lock");
        }
        // Release: the record is free only after the word no longer names a writer.
        SharedMemory.WriteRelease(&record->State, 0);
    }

    /// <summary>
    /// For a holder about to change the word: waits while a live recoverer has it frozen, recovers it if that one is
    /// dead. <see cref="TimeoutException"/> after <see cref="ShmOptions.LockTimeout"/> (a recoverer that is stopped); the
    /// lock is then still held, and releasing it again waits again.
    /// </summary>
    public static ulong WaitOutRecovery(RwTable table, HoldRecord* record, ulong* word, ulong seen, string what)
    {
        long slot = HoldRecord.SlotOf(record->Element);
        if (!ElementWord.IsRecovering(seen))
        {
            ThrowHelper.ThrowCorrupt($"store '{table.Region.Name}': releasing {what} on slot {slot} whose word 0x{seen:x16} does not count it");
        }
        var wait = new LockWait(table.Region.Options.LockTimeout);
        while (ElementWord.IsRecovering(seen))
        {
            wait.Pause();
            if (!wait.HolderStays((Table: table, Word: seen, Slot: slot, What: what), static s => ElementRecovery.IsRecovererAlive(s.Table, s.Word),
                static (s, waited) => $"store '{s.Table.Region.Name}': releasing {s.What} on slot {s.Slot} waits for live process " +
                    $"{ElementRecovery.RecovererPid(s.Table, s.Word)} recounting its holders for {waited.TotalSeconds:F1} s; it may be stopped " +
                    "(the lock stays held; release it again later)"))
            {
                ElementRecovery.Recover(table, table.CurrentHolds(), slot, table.Region.Options.LockTimeout);
            }
            seen = SharedMemory.ReadAcquire(word);
        }
        return seen;
    }
}
