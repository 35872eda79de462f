namespace ShmMaps.Rw;

internal sealed unsafe partial class RwStoreInspector
{
    /// <summary>
    /// Checks the fresh-slot counter, the free list (in range, free, no cycle), and that every element's lock word is
    /// explained by live hold records; dead processes' records are problems (a half-done write) or notes (a lock the
    /// next waiter releases, a slot left out of the list). With <paramref name="recover"/> they are finished first.
    /// </summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        RwTable table = OpenTable(region);
        if (recover)
        {
            report.Recovered += RecoverAll(table);
        }
        long next = SharedMemory.ReadAcquire(&table.Control->NextFresh);
        if (next < 0 || next > table.MaxElements)
        {
            report.Add($"the next fresh slot {next} is outside 0..{table.MaxElements}");
            return;
        }
        HashSet<long> listed = WalkFreeList(table, next, report);
        var holders = HeldRecords(table);
        for (long slot = 0; slot < next; slot++)
        {
            report.Examined++;
            ulong word = SharedMemory.ReadAcquire(table.Word(slot));
            if (!ElementWord.IsLive(word))
            {
                if (!ElementWord.IsRetired(word) && !listed.Contains(slot))
                {
                    CheckUnlisted(table, slot, report);
                }
                continue;
            }
            holders.TryGetValue(slot, out List<HeldRecord>? records);
            CheckLock(table, slot, word, records ?? [], report);
        }
    }

    private static void CheckLock(RwTable table, long slot, ulong word, List<HeldRecord> records, CheckReport report)
    {
        uint generation = ElementWord.Generation(word);
        var mine = records.Where(r => r.Generation == generation).ToList();
        foreach (HeldRecord dead in mine.Where(r => !r.Live))
        {
            string what = $"slot {slot}: {dead.State} left by dead process {dead.Pid} (lane {dead.Lane})";
            if (dead.State == HoldState.WriteActive)
            {
                report.Add(what + ": the element holds a half-done write until recovered (shm recover restores it)");
            }
            else
            {
                report.Note(what + ": the next process that waits for the element (or shm recover) releases it");
            }
        }
        if (ElementWord.IsRecovering(word))
        {
            if (!ElementRecovery.IsRecovererAlive(table, word))
            {
                report.Note($"slot {slot}: its recount was left unfinished by a dead process; the next waiter (or shm recover) finishes it");
            }
            return;
        }
        int readers = mine.Count(r => r.Live && r.State is HoldState.ReadHeld or HoldState.ReadAcquiring);
        int writers = mine.Count(r => r.Live && r.State is HoldState.WriteActive or HoldState.WriteDone or HoldState.WriteAcquiring);
        bool deadHolder = mine.Any(r => !r.Live);
        if (!deadHolder && ((long)ElementWord.Readers(word) > readers || (ElementWord.HasWriter(word) && writers == 0)))
        {
            report.Add($"slot {slot}: the lock word [{Describe(word)}] counts holders no hold record explains ({readers} readers, {writers} writers recorded)");
        }
    }

    private static void CheckUnlisted(RwTable table, long slot, CheckReport report)
    {
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            HoldRecord* record = table.Hold(lane, 0);
            ulong state = HoldRecord.Read(record, out ulong element);
            if (HoldRecord.StateOf(state) != HoldState.None && HoldRecord.SlotOf(element) == slot)
            {
                if (!table.IsRecordLive(lane, state))
                {
                    report.Note($"slot {slot} was taken by dead process {table.Lanes.Record(lane)->Pid} and never filled; the next holder of lane {lane} (or shm recover) lists it again");
                }
                return;
            }
        }
        report.Add($"slot {slot} is free but neither listed for reuse nor taken by any process: it is lost");
    }

    /// <summary>Finishes every record dead processes left: element locks recounted (writes undone), slots put back on the list.</summary>
    private static int RecoverAll(RwTable table)
    {
        LaneHolds me = table.CurrentHolds();
        int recovered = 0;
        TimeSpan timeout = table.Region.Options.LockTimeout;
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            for (int index = 0; index < table.HoldsPerLane; index++)
            {
                HoldRecord* record = table.Hold(lane, index);
                ulong state = HoldRecord.Read(record, out ulong element);
                if (HoldRecord.StateOf(state) == HoldState.None || table.IsRecordLive(lane, state) || !table.IsUsedSlot(HoldRecord.SlotOf(element)))
                {
                    continue;
                }
                recovered++;
                if (index > 0)
                {
                    ElementRecovery.Recover(table, me, HoldRecord.SlotOf(element), timeout);
                    continue;
                }
                FreeList.FinishDeadLocked(table, me, record, state);
            }
        }
        ElementRecoveryOfFrozen(table, me, timeout, ref recovered);
        return recovered;
    }

    private static void ElementRecoveryOfFrozen(RwTable table, LaneHolds me, TimeSpan timeout, ref int recovered)
    {
        long used = table.UsedSlots;
        for (long slot = 0; slot < used; slot++)
        {
            ulong word = SharedMemory.ReadAcquire(table.Word(slot));
            if (ElementWord.IsRecovering(word) && !ElementRecovery.IsRecovererAlive(table, word))
            {
                ElementRecovery.Recover(table, me, slot, timeout);
                recovered++;
            }
        }
    }
}
