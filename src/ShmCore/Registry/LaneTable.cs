namespace ShmMaps.Core.Registry;

/// <summary>
/// The writer lanes of one open map: which this handle holds, which thread uses which, and whether
/// the holder of any lane is alive.
/// </summary>
/// <remarks>
/// A thread gets a lane the first time it writes (or recovers) and keeps it while it lives (see
/// <see cref="SlotLeaseTable{TLease}"/>). Claiming a lane means taking its kernel byte lock, bumping its generation
/// (from then on every waiter sees the previous holder as dead without a system call), and finishing whatever the
/// previous holder left in its intent.
/// </remarks>
internal sealed unsafe class LaneTable : SlotLeaseTable<LaneTable.LaneLease>
{
    /// <summary>The file offset of lane 0's liveness byte lock (far past the end of any file; locks need no data).</summary>
    public const long LockBase = 1L << 62;

    [ThreadStatic] private static Lane? t_lastLane;

    private readonly MapAddressSpace _memory;
    private readonly byte* _table;
    private readonly int _laneSize;
    private readonly Lane?[] _lanes;
    private readonly Action<Lane> _finishClaimed;

    /// <summary>
    /// The lanes of a mapping. <paramref name="finishClaimed"/> finishes whatever a lane's earlier holders left (the
    /// words they held, what they were writing) when this handle claims the lane, before the lane is used.
    /// </summary>
    public LaneTable(MapAddressSpace memory, long tableOffset, int count, int laneSize, IShmPlatform platform, MapFileHandle file, string mapName,
        TimeSpan lockTimeout, Action<Lane> finishClaimed)
        : base(platform, file, LockBase, count)
    {
        LockTimeout = lockTimeout;
        _finishClaimed = finishClaimed;
        _memory = memory;
        _table = memory.Pointer(tableOffset, (long)count * laneSize, CacheLine.Size);
        _laneSize = laneSize;
        MapName = mapName;
        _lanes = new Lane?[count];
    }

    /// <summary>The map's name, for messages.</summary>
    public string MapName { get; }

    /// <summary>How long a live holder of a lock is waited for (<see cref="ShmOptions.LockTimeout"/>).</summary>
    public TimeSpan LockTimeout { get; }

    /// <summary>The map's address space: where the offsets lanes record are turned into pointers.</summary>
    public MapAddressSpace Memory => _memory;

    /// <summary>The bytes of undo image each lane has room for.</summary>
    public int UndoCapacity => _laneSize - LaneRecord.Size;

    /// <summary>The calling thread's lane, claimed on first use.</summary>
    public Lane Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Lane? lane = t_lastLane;
            return lane is not null && ReferenceEquals(lane.Table, this) ? lane : CurrentSlow();
        }
    }

    /// <summary>
    /// The calling thread's lane, and the lease that ties it to the thread: whoever keeps the lease reachable
    /// keeps the lane from going back to the pool when the thread ends (a scope that outlives its thread).
    /// </summary>
    public Lane CurrentPinned(out object lease)
    {
        Lane lane = Current;
        lease = ThreadLease!;
        return lane;
    }

    /// <summary>The calling thread's lane if it has claimed one, without claiming (for a reader asking whether it holds a lock).</summary>
    public Lane? CurrentIfClaimed
    {
        get
        {
            Lane? lane = t_lastLane;
            return lane is not null && ReferenceEquals(lane.Table, this) ? lane : ThreadLease?.Lane;
        }
    }

    /// <summary>The record of lane <paramref name="index"/>; <see cref="CorruptMapException"/> if out of range.</summary>
    public LaneRecord* Record(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            ThrowHelper.ThrowCorrupt($"lane {index} named by a lock word is outside the lane table of {Count}");
        }
        return (LaneRecord*)(_table + ((long)index * _laneSize));
    }

    /// <summary>
    /// The undo image lane record <paramref name="record"/> keeps, and its length checked against the room a lane has:
    /// a damaged length is a <see cref="CorruptMapException"/>, never a copy past the lane.
    /// </summary>
    public byte* UndoImageOf(LaneRecord* record, out int length)
    {
        uint saved = record->UndoLength;
        if (saved > (uint)UndoCapacity)
        {
            ThrowHelper.ThrowCorrupt($"map '{MapName}': lane {((byte*)record - _table) / _laneSize} keeps an undo image of {saved} bytes; a lane has room for {UndoCapacity}");
        }
        length = (int)saved;
        return (byte*)record + LaneRecord.Size;
    }

    /// <summary>
    /// Whether the owner named by a locked word is gone: its lane was claimed again since (generation
    /// differs), or nobody holds the lane's kernel lock. A slow or stopped process is alive.
    /// </summary>
    public bool IsOwnerDead(ulong lockedWord)
    {
        int index = LaneOwner.Lane(lockedWord);
        LaneRecord* record = Record(index);
        ushort generation = (ushort)SharedMemory.ReadAcquire(&record->Generation);
        if (generation != LaneOwner.Generation(lockedWord))
        {
            return true;
        }
        return !IsAlive(index);
    }

    /// <summary>The map's entry count: the sum of every lane's share.</summary>
    public long SumEntryCounts()
    {
        long total = 0;
        for (int i = 0; i < Count; i++)
        {
            total += SharedMemory.ReadAcquire(&Record(i)->EntryCount);
        }
        return total;
    }

    /// <summary>True if any lane that was ever claimed is held by a live process now.</summary>
    public bool AnyLaneAlive()
    {
        for (int i = 0; i < Count; i++)
        {
            if (Record(i)->Generation != 0 && IsAlive(i))
            {
                return true;
            }
        }
        return false;
    }

    private Lane CurrentSlow()
    {
        Lane lane = LeaseForThisThread().Lane;
        t_lastLane = lane;
        return lane;
    }

    protected override LaneLease Claim(int index)
    {
        LaneRecord* record = Record(index);
        uint generation = record->Generation + 1;
        if ((ushort)generation == 0)
        {
            generation++; // generation 0 is never a holder's, so a zeroed word never names a live owner
        }
        // Publish the new generation first: from here on every waiter treats the previous holder as dead.
        SharedMemory.WriteRelease(&record->Generation, generation);
        // Full fence: the new generation is visible to every waiter before we read the dead holder's
        // intent and CAS its word, so no waiter acts on the old generation after we have moved on.
        Interlocked.MemoryBarrier();
        var lane = new Lane(this, index, generation, record, UndoCapacity);
        _finishClaimed(lane);
        ProcessIdentity process = Platform.CurrentProcess;
        record->Pid = process.Pid;
        record->StartTicks = process.StartTicks;
        record->ThreadId = Environment.CurrentManagedThreadId;
        SharedMemory.WriteRelease(&record->ClaimedUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _lanes[index] = lane;
        return new LaneLease(this, lane);
    }

    /// <summary>A lane stays claimed by this handle, with its generation, while threads come and go.</summary>
    protected override LaneLease Reuse(int index) => new(this, _lanes[index]!);

    /// <summary>A lane released with the handle is idle for its next claimer.</summary>
    protected override void Release(int index)
    {
        if (_lanes[index] is { } lane)
        {
            SharedMemory.WriteRelease(&lane.Record->IntentState, (uint)IntentState.Idle);
        }
    }

    /// <summary>A lane whose record names a scope, a held lock or a word of the kind's is in use (a scope can outlive its thread).</summary>
    protected override bool InUse(int index)
    {
        LaneRecord* record = Record(index);
        return SharedMemory.ReadAcquire(&record->ScopeState) != (uint)ScopeState.None
            || SharedMemory.ReadAcquire(&record->HeldLockOffset) != 0
            || SharedMemory.ReadAcquire(&record->KindHeld) != 0;
    }

    protected override string AllHeldMessage() =>
        $"map '{MapName}': all {Count} writer lanes are held by live threads; create the map with more WriterLanes";

    /// <summary>Releases every lane this handle holds. No operation may be running on the map.</summary>
    public override void Dispose()
    {
        base.Dispose();
        t_lastLane = null;
    }

    /// <summary>Ties a lane to a thread: when the thread ends, the lease becomes garbage and gives the lane back.</summary>
    internal sealed class LaneLease(LaneTable table, Lane lane) : SlotLease(lane.Index)
    {
        public Lane Lane { get; } = lane;

        ~LaneLease() => table.Return(this);
    }
}
