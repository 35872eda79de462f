namespace ShmMaps.Rw;

/// <summary>Reads, checks and recovers RwStore files: the slots, the free list, and the locks the hold records explain.</summary>
internal sealed unsafe partial class RwStoreInspector : IKindInspector
{
    public MapKind Kind => MapKind.RwStore;

    public string ShortName => "rw";

    public bool TypedKeys => false;

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(RwStoreAccess<>), value);

    private const int Listed = 10;
    private static readonly TimeSpan DumpLockWait = TimeSpan.FromMilliseconds(100);

    public long Count(MapRegion region) => Scan(OpenTable(region)).Live;

    /// <summary>Blocks, live and free slots, and the locks held (by whom) for <c>shm info</c>.</summary>
    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        RwTable table = OpenTable(region);
        SlotCensus census = Scan(table);
        long used = table.UsedSlots;
        int blocksInUse = used == 0 ? 0 : RwStoreLayout.BlockOf(used - 1) + 1;
        var held = new List<string>();
        foreach ((long slot, List<HeldRecord> records) in HeldRecords(table))
        {
            if (held.Count == Listed)
            {
                held.Add("...");
                break;
            }
            ulong word = SharedMemory.ReadAcquire(table.Word(slot));
            string holders = string.Join(", ", records.Select(r => $"{r.State} by pid {r.Pid} ({(r.Live ? "live" : "dead")})"));
            held.Add($"slot {slot} [{Describe(word)}]: {holders}");
        }
        return new Dictionary<string, string>
        {
            ["elements"] = $"{census.Live} live of at most {table.MaxElements}; {table.ValueSize} bytes each + an 8-byte word",
            ["blocks"] = $"{blocksInUse} of {table.BlockCount} in use ({used} slots handed out, block 0 has {RwStoreLayout.FirstBlockSlots}, each next twice the last)",
            ["free slots"] = $"{census.Listed} listed for reuse, {census.Retired} retired (generations used up), {census.Unlisted} out of the list (inserts under way or left by dead processes)",
            ["locks held"] = $"{census.ReadLocks} read locks, {census.WriteLocks} write locks, {census.Frozen} being recovered",
            ["holders"] = held.Count == 0 ? "none" : string.Join("; ", held),
            ["store id"] = $"{table.StoreId:x16}",
        };
    }

    /// <summary>Every live element, read under its read lock (an element write-locked for longer than a moment shows as such).</summary>
    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        RwTable table = OpenTable(region);
        (_, string valueType) = ValueDecoder.TypeNames(region);
        byte[] value = new byte[table.ValueSize];
        long used = table.UsedSlots;
        for (long slot = 0; slot < used; slot++)
        {
            ulong word = WordOf(table, slot);
            if (!ElementWord.IsLive(word))
            {
                continue;
            }
            var id = new ShmId(table.StoreId, HoldRecord.ElementOf(slot, ElementWord.Generation(word)));
            yield return new MapEntry(slot, id.ToString(), ReadLocked(table, slot, ElementWord.Generation(word), value) is false
                ? "(write-locked)" : ValueDecoder.Decode(valueType, value));
        }
    }

    private static RwTable OpenTable(MapRegion region) => RwTable.Open(region, (int)region.Header->ValueSize);

    private static ulong WordOf(RwTable table, long slot) => SharedMemory.ReadAcquire(table.Word(slot));

    private static bool ReadLocked(RwTable table, long slot, uint generation, byte[] value)
    {
        LaneHolds holds = table.CurrentHolds();
        HoldRecord* record = holds.TakeFree();
        if (record == null)
        {
            return false;
        }
        ulong held = ElementLocks.Acquire(table, holds, record, HoldRecord.ElementOf(slot, generation), write: false, DumpLockWait, throwOnTimeout: false);
        if (held == 0)
        {
            return false;
        }
        new ReadOnlySpan<byte>(table.Value(slot), table.ValueSize).CopyTo(value);
        ElementLocks.ReleaseRead(table, record, held, table.Word(slot));
        return true;
    }

    /// <summary>
    /// The slots on the free list, walked from its head until its end, a slot past <paramref name="next"/>, a cycle,
    /// or a slot that is not free; each of those is a problem in <paramref name="report"/> when one is given.
    /// </summary>
    private static HashSet<long> WalkFreeList(RwTable table, long next, CheckReport? report)
    {
        var listed = new HashSet<long>();
        ulong link = SharedMemory.ReadAcquire(&table.Control->FreeHead);
        while (link != 0)
        {
            long slot = (long)link - 1;
            if (slot >= next)
            {
                report?.Add($"the free list names slot {slot}, past the {next} slots handed out");
                break;
            }
            if (!listed.Add(slot))
            {
                report?.Add($"the free list comes back to slot {slot}: a cycle");
                break;
            }
            ulong word = SharedMemory.ReadAcquire(table.Word(slot));
            if (ElementWord.IsLive(word) || ElementWord.IsRetired(word))
            {
                report?.Add($"the free list names slot {slot}, which is {(ElementWord.IsLive(word) ? "live" : "retired")}");
                break;
            }
            link = ElementWord.Link(word);
        }
        return listed;
    }

    private static SlotCensus Scan(RwTable table)
    {
        var census = new SlotCensus();
        long used = table.UsedSlots;
        HashSet<long> listed = WalkFreeList(table, used, report: null);
        census.Listed = listed.Count;
        for (long slot = 0; slot < used; slot++)
        {
            ulong word = SharedMemory.ReadAcquire(table.Word(slot));
            if (ElementWord.IsLive(word))
            {
                census.Live++;
                if (ElementWord.IsRecovering(word))
                {
                    census.Frozen++;
                    continue;
                }
                census.ReadLocks += (long)ElementWord.Readers(word);
                census.WriteLocks += ElementWord.HasWriter(word) ? 1 : 0;
            }
            else if (ElementWord.IsRetired(word))
            {
                census.Retired++;
            }
            else if (!listed.Contains(slot))
            {
                census.Unlisted++;
            }
        }
        return census;
    }

    /// <summary>The lock records (not allocation records) in use, by the slot they name.</summary>
    private static Dictionary<long, List<HeldRecord>> HeldRecords(RwTable table)
    {
        var bySlot = new SortedDictionary<long, List<HeldRecord>>();
        var alive = new Dictionary<int, bool>();
        for (int lane = 0; lane < table.Lanes.Count; lane++)
        {
            for (int index = 1; index < table.HoldsPerLane; index++)
            {
                HoldRecord* record = table.Hold(lane, index);
                ulong state = HoldRecord.Read(record, out ulong element);
                if (HoldRecord.StateOf(state) == HoldState.None)
                {
                    continue;
                }
                long slot = HoldRecord.SlotOf(element);
                if (!bySlot.TryGetValue(slot, out List<HeldRecord>? list))
                {
                    bySlot[slot] = list = [];
                }
                list.Add(new HeldRecord(lane, HoldRecord.StateOf(state), HoldRecord.GenerationOf(element),
                    table.IsRecordLive(lane, state, alive), table.Lanes.Record(lane)->Pid));
            }
        }
        return new Dictionary<long, List<HeldRecord>>(bySlot);
    }

    private static string Describe(ulong word) =>
        ElementWord.IsRecovering(word) ? $"being recovered by lane {ElementWord.RecovererLane(word)}"
        : $"{ElementWord.Readers(word)} readers{(ElementWord.HasWriter(word) ? ", a writer" : "")}{(ElementWord.HasPending(word) ? ", a writer waiting" : "")}";

    private sealed record HeldRecord(int Lane, HoldState State, uint Generation, bool Live, int Pid);

    private sealed class SlotCensus
    {
        public long Live;
        public long Listed;
        public long Retired;
        public long Unlisted;
        public long ReadLocks;
        public long WriteLocks;
        public long Frozen;
    }
}
