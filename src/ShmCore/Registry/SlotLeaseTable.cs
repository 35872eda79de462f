using System.Collections.Concurrent;

namespace ShmMaps.Core.Registry;

/// <summary>
/// The slots of a table in the map file that this handle leases to its threads: writer lanes and reader slots.
/// </summary>
/// <remarks>
/// A thread gets a slot the first time it needs one and keeps it while it lives. The handle holds a kernel byte lock
/// at the table's lock base + index for every slot it has claimed, so the kernel says when a holder's process died;
/// within the handle a slot is leased to one thread through a lease object that only that thread keeps reachable.
/// When the thread ends the lease becomes garbage, and its finalizer gives the slot back to this handle's pool for
/// the next thread (<see cref="Return"/>); a handle that runs out of slots first takes back those of ended threads
/// whose leases the collector has not finalized yet (<see cref="ReclaimFromEndedThreads"/>); <see cref="Dispose"/>
/// releases every slot. A kind of table says how a slot is claimed from a dead or earlier holder, how a pooled one is
/// leased again, and what a released slot is left as.
/// </remarks>
internal abstract class SlotLeaseTable<TLease> : IDisposable where TLease : SlotLease
{
    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private readonly long _lockBase;
    private readonly ThreadLocal<TLease?> _threadLeases = new();
    private readonly bool[] _held;
    private readonly WeakReference<TLease>?[] _leases;
    private readonly Stack<int> _pool = new();
    private readonly ConcurrentQueue<int> _returned = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    protected SlotLeaseTable(IShmPlatform platform, MapFileHandle file, long lockBase, int count)
    {
        _platform = platform;
        _file = file;
        _lockBase = lockBase;
        Count = count;
        _held = new bool[count];
        _leases = new WeakReference<TLease>?[count];
    }

    /// <summary>The number of slots.</summary>
    public int Count { get; }

    /// <summary>The platform the liveness locks are taken through.</summary>
    protected IShmPlatform Platform => _platform;

    /// <summary>The calling thread's lease if it has one, without claiming.</summary>
    protected TLease? ThreadLease => _threadLeases.Value;

    /// <summary>True when this handle holds slot <paramref name="index"/>.</summary>
    /// <remarks>Read without the gate by other threads' liveness probes; pairs with the release in <see cref="Acquire"/>.</remarks>
    public bool IsHeldHere(int index) => (uint)index < (uint)Count && Volatile.Read(ref _held[index]);

    /// <summary>Whether a live thread (of any process, this handle included) holds slot <paramref name="index"/>.</summary>
    public bool IsAlive(int index) => IsHeldHere(index) || _platform.IsByteLockedByOther(_file, _lockBase + index);

    /// <summary>The calling thread's lease, claimed on first use; <see cref="ShmMapException"/> if live threads hold every slot.</summary>
    protected TLease LeaseForThisThread()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        TLease? lease = _threadLeases.Value;
        if (lease is null)
        {
            lease = Acquire();
            _threadLeases.Value = lease;
        }
        return lease;
    }

    /// <summary>Claims slot <paramref name="index"/>, whose liveness lock this handle has just taken, from whoever held it before.</summary>
    protected abstract TLease Claim(int index);

    /// <summary>Leases again slot <paramref name="index"/>, claimed earlier by this handle and given back by a thread that ended.</summary>
    protected abstract TLease Reuse(int index);

    /// <summary>Leaves slot <paramref name="index"/> as its next holder, of any process, should find it: this handle closes.</summary>
    protected abstract void Release(int index);

    /// <summary>Leaves slot <paramref name="index"/> as the next thread of this handle should find it: the thread that held it ended.</summary>
    protected virtual void Returned(int index)
    {
    }

    /// <summary>A lease still reachable when this handle closes: whatever it guards must fail from now on.</summary>
    protected virtual void Ended(TLease lease)
    {
    }

    /// <summary>
    /// Whether a thread's lease given back waits for this table's gate (false: it is queued when the gate is busy, and
    /// pooled by the next claim). A table whose claims may wait (a lane claim finishes a dead holder's writes) must not
    /// stall the finalizer thread behind them; one whose returned slots must be left idle at once, and whose claims
    /// never wait, waits.
    /// </summary>
    protected virtual bool ReturnWaitsForGate => false;

    /// <summary>
    /// Whether slot <paramref name="index"/>, leased to a thread that ended, is still in use (a scope that outlives its
    /// thread holds it): such a slot comes back only through its lease's finalizer.
    /// </summary>
    protected virtual bool InUse(int index) => false;

    /// <summary>Whether free slot <paramref name="index"/> should be claimed only when no other is free.</summary>
    protected virtual bool ClaimLast(int index) => false;

    /// <summary>What to say when live threads hold every slot.</summary>
    protected abstract string AllHeldMessage();

    /// <summary>The thread that held <paramref name="lease"/> has ended (the lease's finalizer): keep its slot for another thread.</summary>
    internal void Return(TLease lease)
    {
        if (lease.Reclaimed)
        {
            return; // taken back already, when the table ran out of slots
        }
        _returned.Enqueue(lease.Index);
        if (ReturnWaitsForGate)
        {
            _gate.Enter();
        }
        else if (!_gate.TryEnter())
        {
            return; // the claim that holds the gate, or the next, pools it
        }
        try
        {
            PoolReturned();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Under the gate: pools the slots of ended threads (none once the table is disposed: their slots were released).</summary>
    private void PoolReturned()
    {
        while (!_disposed && _returned.TryDequeue(out int index))
        {
            Returned(index);
            _leases[index] = null;
            _pool.Push(index);
        }
    }

    /// <summary>Releases every slot this handle holds. No operation may be running on them.</summary>
    public virtual void Dispose()
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
                if (_held[i])
                {
                    Release(i);
                    _platform.UnlockByte(_file, _lockBase + i);
                    _held[i] = false;
                    if (_leases[i] is { } weak && weak.TryGetTarget(out TLease? lease))
                    {
                        Ended(lease);
                    }
                }
            }
            _pool.Clear();
        }
        _threadLeases.Dispose();
    }

    private TLease Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PoolReturned();
            if (_pool.TryPop(out int pooled))
            {
                return Remember(pooled, Reuse(pooled));
            }
            int index = LivenessLocks.LockFirstFree(_platform, _file, _lockBase, Count, i => _held[i] || ClaimLast(i));
            if (index < 0)
            {
                index = LivenessLocks.LockFirstFree(_platform, _file, _lockBase, Count, i => _held[i]);
            }
            if (index >= 0)
            {
                TLease lease = Claim(index);
                // Release: a thread that sees the slot held here also sees it fully claimed.
                Volatile.Write(ref _held[index], true);
                return Remember(index, lease);
            }
            if (ReclaimFromEndedThreads() && _pool.TryPop(out pooled))
            {
                return Remember(pooled, Reuse(pooled));
            }
        }
        throw new ShmMapException(AllHeldMessage());
    }

    /// <summary>
    /// Under the gate, with every slot held: takes back the slots of leases whose threads ended but that the collector
    /// has not finalized yet (a program that allocates little may not collect for a long time), unless still in use.
    /// True if any came back.
    /// </summary>
    private bool ReclaimFromEndedThreads()
    {
        bool any = false;
        for (int i = 0; i < Count; i++)
        {
            if (_leases[i] is { } weak && weak.TryGetTarget(out TLease? lease) && !lease.Owner.IsAlive && !InUse(i))
            {
                lease.Reclaimed = true;
                _leases[i] = null;
                Returned(i);
                _pool.Push(i);
                any = true;
            }
        }
        return any;
    }

    /// <summary>Keeps a weak reference to the lease of slot <paramref name="index"/>, so that closing the handle can end it without keeping it alive.</summary>
    private TLease Remember(int index, TLease lease)
    {
        _leases[index] = new WeakReference<TLease>(lease);
        return lease;
    }
}
