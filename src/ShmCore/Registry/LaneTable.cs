using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Platform;
using ShmMaps.Core.Region;

namespace ShmMaps.Core.Registry;

/// <summary>
/// The writer lanes of one open map: which this handle holds, which thread uses which, and whether
/// the holder of any lane is alive.
/// </summary>
/// <remarks>
/// A thread gets a lane the first time it writes (or recovers) and keeps it while it lives; a lane of
/// a thread that ended goes back to this handle's pool (a finalizer), and all lanes are released at
/// <see cref="Dispose"/>. Claiming a lane means taking its kernel byte lock, bumping its generation (from
/// then on every waiter sees the previous holder as dead without a system call), and finishing whatever
/// the previous holder left in its intent.
/// </remarks>
internal sealed unsafe class LaneTable : IDisposable
{
    /// <summary>The file offset of lane 0's liveness byte lock (far past the end of any file; locks need no data).</summary>
    public const long LockBase = 1L << 62;

    [ThreadStatic] private static Lane? t_lastLane;

    private readonly MapAddressSpace _memory;
    private readonly byte* _table;
    private readonly int _laneSize;
    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private readonly ThreadLocal<LaneLease?> _threadLanes = new();
    private readonly Lane?[] _held;
    private readonly Stack<Lane> _pool = new();
    private readonly Lock _gate = new();
    private readonly Action<Lane> _finishClaimed;
    private bool _disposed;

    /// <summary>
    /// The lanes of a mapping. <paramref name="finishClaimed"/> finishes whatever a lane's earlier holders left (the
    /// words they held, what they were writing) when this handle claims the lane, before the lane is used.
    /// </summary>
    public LaneTable(MapAddressSpace memory, long tableOffset, int count, int laneSize, IShmPlatform platform, MapFileHandle file, string mapName,
        TimeSpan lockTimeout, Action<Lane> finishClaimed)
    {
        LockTimeout = lockTimeout;
        _finishClaimed = finishClaimed;
        _memory = memory;
        _table = memory.Pointer(tableOffset, (long)count * laneSize, CacheLine.Size);
        Count = count;
        _laneSize = laneSize;
        _platform = platform;
        _file = file;
        MapName = mapName;
        _held = new Lane?[count];
    }

    /// <summary>The number of lanes.</summary>
    public int Count { get; }

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
        lease = _threadLanes.Value!;
        return lane;
    }

    /// <summary>The calling thread's lane if it has claimed one, without claiming (for a reader asking whether it holds a lock).</summary>
    public Lane? CurrentIfClaimed
    {
        get
        {
            Lane? lane = t_lastLane;
            return lane is not null && ReferenceEquals(lane.Table, this) ? lane : _threadLanes.Value?.Lane;
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

    /// <summary>True when this handle holds lane <paramref name="index"/>.</summary>
    /// <remarks>Read without the gate by other threads' liveness probes; pairs with the release in <see cref="Acquire"/>.</remarks>
    public bool IsHeldHere(int index) => (uint)index < (uint)Count && Volatile.Read(ref _held[index]) is not null;

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
        if (IsHeldHere(index))
        {
            return false;
        }
        return !_platform.IsByteLockedByOther(_file, LockBase + index);
    }

    /// <summary>Whether anyone (this handle included) holds lane <paramref name="index"/> now.</summary>
    public bool IsLaneAlive(int index) => IsHeldHere(index) || _platform.IsByteLockedByOther(_file, LockBase + index);

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
            if (Record(i)->Generation != 0 && IsLaneAlive(i))
            {
                return true;
            }
        }
        return false;
    }

    private Lane CurrentSlow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LaneLease? lease = _threadLanes.Value;
        if (lease is null)
        {
            lease = new LaneLease(this, Acquire());
            _threadLanes.Value = lease;
        }
        t_lastLane = lease.Lane;
        return lease.Lane;
    }

    private Lane Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pool.TryPop(out Lane? pooled))
            {
                return pooled;
            }
            int index = LivenessLocks.LockFirstFree(_platform, _file, LockBase, Count, i => _held[i] is not null);
            if (index >= 0)
            {
                Lane lane = Claim(index);
                // Release: a thread that sees the lane as held here also sees it fully claimed.
                Volatile.Write(ref _held[index], lane);
                return lane;
            }
        }
        throw new ShmMapException($"map '{MapName}': all {Count} writer lanes are held by live threads; create the map with more WriterLanes");
    }

    private Lane Claim(int index)
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
        ProcessIdentity process = _platform.CurrentProcess;
        record->Pid = process.Pid;
        record->StartTicks = process.StartTicks;
        record->ThreadId = Environment.CurrentManagedThreadId;
        SharedMemory.WriteRelease(&record->ClaimedUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return lane;
    }

    /// <summary>A thread that held <paramref name="lane"/> has ended: keep the lane for another thread of this handle.</summary>
    internal void Return(Lane lane)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _pool.Push(lane);
            }
        }
    }

    /// <summary>Releases every lane this handle holds. No operation may be running on the map.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            for (int i = 0; i < Count; i++)
            {
                if (_held[i] is { } lane)
                {
                    SharedMemory.WriteRelease(&lane.Record->IntentState, (uint)IntentState.Idle);
                    _platform.UnlockByte(_file, LockBase + i);
                    _held[i] = null;
                }
            }
            _pool.Clear();
        }
        _threadLanes.Dispose();
        t_lastLane = null;
    }

    /// <summary>Ties a lane to a thread: when the thread ends, the lease becomes garbage and gives the lane back.</summary>
    private sealed class LaneLease(LaneTable table, Lane lane)
    {
        public Lane Lane { get; } = lane;

        ~LaneLease() => table.Return(Lane);
    }
}
