namespace ShmMaps.Core.Epochs;

/// <summary>
/// The reader slots of one map, as one handle sees them: each reader thread claims a slot (a kernel byte lock
/// that dies with its process) and pins a copy in it; a writer waits for the slots on the copy it wants to
/// rewrite, and frees the slots of dead processes instead of waiting for them.
/// </summary>
internal sealed unsafe class ReaderSlotTable : SlotLeaseTable<ReaderSlotLease>
{
    /// <summary>The file offset of slot 0's liveness byte lock (past the writer lanes' locks).</summary>
    public const long LockBase = LaneTable.LockBase + (1L << 40);

    [ThreadStatic] private static ReaderSlotLease? t_lastLease;

    private readonly MapRegion _region;
    private readonly byte* _slots;
    private bool? _fenced;

    public ReaderSlotTable(MapRegion region, byte* slots, int count)
        : base(region.Platform, region.File, LockBase, count)
    {
        _region = region;
        _slots = slots;
    }

    /// <summary>The calling thread's slot, claimed on first use; <see cref="ShmMapException"/> if every slot is held by a live thread.</summary>
    public ReaderSlotLease Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ReaderSlotLease? lease = t_lastLease;
            return lease is not null && ReferenceEquals(lease.Table, this) ? lease : CurrentSlow();
        }
    }

    /// <summary>
    /// Whether <paramref name="lease"/> is the one the calling thread used last, which proves the thread holds it
    /// (a lease is only ever the last used of its own thread); false tells nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLastUsedHere(ReaderSlotLease lease) => ReferenceEquals(t_lastLease, lease);

    /// <summary>Slot <paramref name="index"/>.</summary>
    public ReaderSlot* Slot(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            ThrowHelper.ThrowCorrupt($"reader slot {index} is outside the table of {Count}");
        }
        return (ReaderSlot*)(_slots + ((long)index * ReaderSlot.Size));
    }

    /// <summary>
    /// Waits until no guard reads copy <paramref name="copy"/>: the guard each slot shows when scanned, if it is
    /// entering or on the copy, must end or show the other copy (a guard that announces itself later reads the
    /// sequence already flipped away from the copy before it reads; see <see cref="ReaderSlotLease.Enter"/>).
    /// A slot whose holder is dead is set idle instead. <see cref="TimeoutException"/> naming the reader if a
    /// live one keeps its guard past <paramref name="timeout"/>.
    /// </summary>
    /// <returns>The number of dead readers' slots freed.</returns>
    public int WaitForReadersOf(int copy, TimeSpan timeout)
    {
        // The barrier orders every unfenced reader's announcement before its read of the sequence (see Pin).
        if (!_region.Platform.SystemWideBarrier())
        {
            ThrowIfUnfencedReaders();
        }
        int freed = 0;
        for (int i = 0; i < Count; i++)
        {
            ReaderSlot* slot = Slot(i);
            ulong seen = SharedMemory.ReadAcquire(&slot->Pin);
            ulong guard = ReaderPin.Enters(seen);
            var wait = new LockWait(timeout);
            // Wait out the guard seen first, until it ends or says it reads the other copy. A guard seen entering
            // may still turn out to be on this copy (it read the sequence before the flip); a later guard cannot.
            while (ReaderPin.Enters(seen) == guard && ReaderPin.MayRead(seen, copy))
            {
                if (!wait.HolderStays((Table: this, Index: i, Copy: copy, Timeout: timeout), static s => s.Table.IsAlive(s.Index),
                    static (s, _) => s.Table.GuardTimeoutMessage(s.Index, s.Copy, s.Timeout)))
                {
                    freed += TryFree(i, seen) ? 1 : 0;
                    break;
                }
                wait.Pause();
                seen = SharedMemory.ReadAcquire(&slot->Pin);
            }
        }
        return freed;
    }

    /// <summary>What a writer says when a live reader's guard outlasts <paramref name="timeout"/>.</summary>
    private string GuardTimeoutMessage(int index, int copy, TimeSpan timeout)
    {
        ReaderSlot* slot = Slot(index);
        return $"map '{_region.Name}': reader slot {index} of live pid {slot->Pid} has held a guard on copy {copy} for over " +
            $"{timeout} (it pins publish {slot->PinnedSequence}); read guards must be short";
    }

    /// <summary>Sets slot <paramref name="index"/>, pinned by a dead holder as <paramref name="pin"/>, idle; false if a new holder has rewritten it.</summary>
    public bool TryFree(int index, ulong pin) =>
        SharedMemory.CompareExchange(&Slot(index)->Pin, ReaderPin.Idled(pin), pin) == pin;

    /// <summary>Sets idle every slot pinned by a dead holder (what <c>shm recover</c> does); returns how many.</summary>
    public int FreeDeadSlots()
    {
        int freed = 0;
        for (int i = 0; i < Count; i++)
        {
            ReaderSlot* slot = Slot(i);
            ulong pin = SharedMemory.ReadAcquire(&slot->Pin);
            if (ReaderPin.State(pin) != ReaderPin.Idle && !IsAlive(i) && TryFree(i, pin))
            {
                freed++;
            }
        }
        return freed;
    }

    private void ThrowIfUnfencedReaders()
    {
        for (int i = 0; i < Count; i++)
        {
            ReaderSlot* slot = Slot(i);
            if (Volatile.Read(ref slot->Fenced) == 0 && slot->Generation != 0 && IsAlive(i))
            {
                throw new ShmMapException(
                    $"map '{_region.Name}': the system-wide memory barrier failed here, but reader pid {slot->Pid} relies on it; run readers and writer under the same kernel and seccomp policy");
            }
        }
    }

    private ReaderSlotLease CurrentSlow()
    {
        ReaderSlotLease lease = LeaseForThisThread();
        t_lastLease = lease;
        return lease;
    }

    /// <summary>
    /// Whether the calling process relies on its own fence (it could not register for the writer's system-wide
    /// barrier); registering once per handle, so that readers of a registered process skip their fence.
    /// </summary>
    private bool Fenced => _fenced ??= !_region.Platform.TryRegisterForSystemWideBarrier();

    /// <summary>
    /// A slot a dead reader left pinned is taken last: claiming it idles the pin, and until the writer (or shm recover)
    /// frees it, inspectors report it (shm check changes nothing, its own pin included).
    /// </summary>
    protected override bool ClaimLast(int index) => ReaderPin.State(SharedMemory.ReadAcquire(&Slot(index)->Pin)) != ReaderPin.Idle;

    protected override ReaderSlotLease Claim(int index)
    {
        ReaderSlot* slot = Slot(index);
        bool fenced = Fenced;
        ProcessIdentity process = _region.Platform.CurrentProcess;
        // A dead holder may have died inside a guard: idle now (a waiting writer sees the word change).
        ulong pin = SharedMemory.ReadAcquire(&slot->Pin);
        Interlocked.Exchange(ref slot->Pin, ReaderPin.Idled(pin));
        slot->Generation++;
        slot->Fenced = fenced ? 1u : 0u;
        slot->Pid = process.Pid;
        slot->StartTicks = process.StartTicks;
        // Release: the holder's identity is complete before inspectors read the claim time.
        SharedMemory.WriteRelease(&slot->ClaimedUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new ReaderSlotLease(this, index, slot, fenced);
    }

    protected override ReaderSlotLease Reuse(int index) => new(this, index, Slot(index), Fenced);

    /// <summary>No guard of a gone holder is open: the slot is idle (release: its reads come before).</summary>
    protected override void Release(int index)
    {
        ReaderSlot* slot = Slot(index);
        SharedMemory.WriteRelease(&slot->Pin, ReaderPin.Idled(SharedMemory.ReadAcquire(&slot->Pin)));
    }

    protected override void Returned(int index) => Release(index);

    /// <summary>A reader's slot given back is left idle at once (a guard its thread left open would hold the writer); claims here never wait.</summary>
    protected override bool ReturnWaitsForGate => true;

    /// <summary>A guard used after its reader is gone throws instead of reading unmapped memory.</summary>
    protected override void Ended(ReaderSlotLease lease) => lease.End();

    protected override string AllHeldMessage() =>
        $"map '{_region.Name}': all {Count} reader slots are held by live reader threads; close readers or create the map with more ReaderSlots";

    public override void Dispose()
    {
        base.Dispose();
        t_lastLease = null;
    }
}
