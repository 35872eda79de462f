using ShmMaps.Core.Epochs;

namespace ShmMaps.LeftRight;

/// <summary>Reads, checks and recovers LeftRightMap files: the published copy (pinned like any reader) and the reader slots.</summary>
internal sealed unsafe class LeftRightInspector : IKindInspector
{
    public MapKind Kind => MapKind.LeftRightMap;

    public string ShortName => "leftright";

    public bool TypedKeys => true;

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(LeftRightMapAccess<,>), key!, value);

    private const int ListedSlots = 16;

    public long Count(MapRegion region)
    {
        LeftRightTable table = LeftRightTable.Open(region);
        try
        {
            return SharedMemory.ReadAcquire(&table.Control->Counts[table.PublishedCopy]);
        }
        finally
        {
            table.Readers.Dispose();
        }
    }

    /// <summary>The writes of a left-right map are its publishes: the publish sequence.</summary>
    public long? Writes(MapRegion region)
    {
        LeftRightTable table = LeftRightTable.Open(region);
        try
        {
            return (long)SharedMemory.ReadAcquire(&table.Control->Published);
        }
        finally
        {
            table.Readers.Dispose();
        }
    }

    /// <summary>The publishes, the writer, and the reader slots (pid, alive, pin, age of the guard) for <c>shm info</c>.</summary>
    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        LeftRightTable table = LeftRightTable.Open(region);
        try
        {
            LeftRightControl* control = table.Control;
            ulong sequence = SharedMemory.ReadAcquire(&control->Published);
            long lastPublish = control->LastPublishUnixMs;
            string sinceLast = Age(UnixTime.FromMilliseconds(lastPublish) is null ? 0 : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - lastPublish);
            var details = new Dictionary<string, string>
            {
                ["tables"] = $"copy 0 on table {table.GenerationOf(0)} ({CellCount(table, 0):N0} cells), copy 1 on table {table.GenerationOf(1)} ({CellCount(table, 1):N0} cells), of {table.Tables}; cells of {table.Stride} bytes",
                ["publishes"] = sequence == 0 ? "none yet"
                    : $"{sequence}, the last {sinceLast} ago ({UnixTime.Describe(lastPublish)}), readers on copy {sequence & 1}",
                ["writer"] = control->WriterSinceUnixMs == 0 ? "never opened"
                    : $"pid {control->WriterPid} ({(table.IsWriterAlive() ? "alive" : "gone")}), opened {UnixTime.Describe(control->WriterSinceUnixMs)}",
                // A count, not a census: a waiter killed while parked stays counted (writers then wake no one in vain).
                ["waiting for a publish"] = $"{Volatile.Read(ref control->Sleepers)} thread(s)",
            };
            int held = 0, pinned = 0, listed = 0;
            string oldest = "none";
            ulong oldestSequence = ulong.MaxValue;
            for (int i = 0; i < table.Readers.Count; i++)
            {
                ReaderSlot* slot = table.Readers.Slot(i);
                ulong pin = SharedMemory.ReadAcquire(&slot->Pin);
                bool alive = table.Readers.IsAlive(i);
                bool pinning = ReaderPin.State(pin) != ReaderPin.Idle;
                held += alive ? 1 : 0;
                if (!alive && !pinning)
                {
                    continue;
                }
                // Guards record no clock (a clock read costs more than the guard): their age is told by publishes.
                ulong pinnedSequence = slot->PinnedSequence;
                string age = pinnedSequence < sequence
                    ? $"held over {sinceLast} ({sequence - pinnedSequence} publishes behind)"
                    : "taken after the last publish";
                if (pinning)
                {
                    pinned++;
                    if (pinnedSequence < oldestSequence)
                    {
                        oldestSequence = pinnedSequence;
                        oldest = $"slot {i} (pid {slot->Pid}): pins publish {pinnedSequence}, {age}";
                    }
                }
                if (listed++ < ListedSlots)
                {
                    string guard = pinning ? $"{ReaderPin.Describe(pin)} (publish {pinnedSequence}), guard {age}" : "idle";
                    details[$"reader slot {i}"] = $"pid {slot->Pid} ({(alive ? "alive" : "dead")}), {guard}, {ReaderPin.Enters(pin)} guards";
                }
            }
            details["reader slots"] = $"{held} of {table.Readers.Count} held by live threads, {pinned} in a guard{(listed > ListedSlots ? $" (first {ListedSlots} listed)" : "")}";
            details["oldest guard"] = oldest;
            return details;
        }
        finally
        {
            table.Readers.Dispose();
        }
    }

    /// <summary>The published copy's entries, read under a reader pin of this process.</summary>
    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        LeftRightTable table = LeftRightTable.Open(region);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        (int keySize, int valueSize) = Sizes(region);
        ReaderSlotLease lease = table.Readers.Current;
        ulong stamp = PinPublished(table, lease);
        try
        {
            int copy = (int)(lease.Sequence & 1);
            byte[] cell = new byte[table.Stride];
            for (long i = 0; i < CellCount(table, copy); i++)
            {
                ReadCell(table, copy, i, cell);
                if (BitConverter.ToUInt64(cell, 0) != 0)
                {
                    yield return new MapEntry(i,
                        ValueDecoder.Decode(keyType, cell.AsSpan(LeftRightLayout.KeyOffset, keySize)),
                        ValueDecoder.Decode(valueType, cell.AsSpan(LeftRightLayout.KeyOffset + keySize, valueSize)));
                }
            }
        }
        finally
        {
            lease.Exit(stamp);
            table.Readers.Dispose();
        }
    }

    /// <summary>
    /// Reports (or with <paramref name="recover"/> frees) reader slots pinned by dead processes, then checks the
    /// published copy under a pin: every tag the hash of its key, every key reachable from its home, none twice,
    /// and the published count equal to the filled cells. The writer's copy may be mid-batch and is not checked.
    /// </summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        LeftRightTable table = LeftRightTable.Open(region);
        try
        {
            CheckSlots(table, report, recover);
            ReaderSlotLease lease = table.Readers.Current;
            ulong stamp = PinPublished(table, lease);
            try
            {
                CheckCopy(table, (int)(lease.Sequence & 1), report);
            }
            finally
            {
                lease.Exit(stamp);
            }
        }
        finally
        {
            table.Readers.Dispose();
        }
    }

    private static void CheckSlots(LeftRightTable table, CheckReport report, bool recover)
    {
        for (int i = 0; i < table.Readers.Count; i++)
        {
            report.Examined++;
            ReaderSlot* slot = table.Readers.Slot(i);
            ulong pin = SharedMemory.ReadAcquire(&slot->Pin);
            if (ReaderPin.State(pin) == ReaderPin.Idle || table.Readers.IsAlive(i))
            {
                continue;
            }
            if (recover)
            {
                report.Recovered += table.Readers.TryFree(i, pin) ? 1 : 0;
            }
            else
            {
                report.Note($"reader slot {i}: pid {slot->Pid} died {ReaderPin.Describe(pin)}; the writer frees it when it needs the copy, `shm recover` frees it now");
            }
        }
    }

    private static void CheckCopy(LeftRightTable table, int copy, CheckReport report)
    {
        int keySize = (int)table.Region.Header->KeySize;
        long cells = CellCount(table, copy);
        long mask = cells - 1;
        ulong seed = table.Region.HashSeed;
        byte[] cell = new byte[table.Stride];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long filled = 0;
        for (long i = 0; i < cells; i++)
        {
            report.Examined++;
            ReadCell(table, copy, i, cell);
            ulong tag = BitConverter.ToUInt64(cell, 0);
            if (tag == 0)
            {
                continue;
            }
            filled++;
            ReadOnlySpan<byte> key = cell.AsSpan(LeftRightLayout.KeyOffset, keySize);
            ulong hash = XxHash3.Hash(key, seed);
            string hex = Convert.ToHexString(key);
            if (tag != (hash | 1))
            {
                report.Add($"copy {copy} cell {i}: key 0x{hex} is tagged {tag:x}, its hash is {hash | 1:x}");
                continue;
            }
            long home = (long)(hash >> 1) & mask;
            for (long j = home; j != i; j = (j + 1) & mask)
            {
                if (*(ulong*)(Cells(table, copy) + (j * table.Stride)) == 0)
                {
                    report.Add($"copy {copy} cell {i}: key 0x{hex} lies past the empty cell {j} after its home {home}: lookups cannot find it");
                    break;
                }
            }
            if (!keys.Add(hex))
            {
                report.Add($"copy {copy} cell {i}: key 0x{hex} is stored twice");
            }
        }
        long counted = SharedMemory.ReadAcquire(&table.Control->Counts[copy]);
        if (counted != filled)
        {
            report.Add($"copy {copy} was published with {counted} entries but {filled} cells are filled");
        }
    }

    /// <summary>Opens a guard of <paramref name="lease"/> on the published copy; returns its stamp.</summary>
    private static ulong PinPublished(LeftRightTable table, ReaderSlotLease lease) => lease.Enter(&table.Control->Published);

    private static (int Key, int Value) Sizes(MapRegion region) => ((int)region.Header->KeySize, (int)region.Header->ValueSize);

    private static void ReadCell(LeftRightTable table, int copy, long index, byte[] cell) =>
        new ReadOnlySpan<byte>(Cells(table, copy) + (index * table.Stride), table.Stride).CopyTo(cell);

    /// <summary>The cells of the table copy <paramref name="copy"/> is on.</summary>
    private static byte* Cells(LeftRightTable table, int copy) => table.CellsOf(copy, table.GenerationOf(copy));

    private static long CellCount(LeftRightTable table, int copy) => table.CellCountOf(table.GenerationOf(copy));

    private static string Age(long milliseconds) => TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, (long)TimeSpan.MaxValue.TotalMilliseconds)) switch
    {
        { TotalSeconds: < 1 } t => $"{t.TotalMilliseconds:0} ms",
        { TotalMinutes: < 1 } t => $"{t.TotalSeconds:0.0} s",
        { TotalHours: < 1 } t => $"{t.TotalMinutes:0.0} min",
        var t => $"{t.TotalHours:0.0} h",
    };
}
