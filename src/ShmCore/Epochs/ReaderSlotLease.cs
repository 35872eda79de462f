namespace ShmMaps.Core.Epochs;

/// <summary>
/// A reader slot held by one thread of this process: pins a copy for the outermost guard and unpins it when
/// that guard ends. When the thread ends the lease becomes garbage and gives the slot back to its table.
/// </summary>
/// <remarks>
/// Each open guard is named by a stamp: how many outermost guards the slot has entered (the high 48 bits)
/// and how deep the guard is nested (the low 16). The lease's stamp is its innermost open guard's, so a guard
/// is open while the lease's stamp is its own or a deeper one of the same outermost guard.
/// </remarks>
internal sealed unsafe class ReaderSlotLease : SlotLease
{
    /// <summary>The stamp's nesting depth bits.</summary>
    public const ulong DepthMask = 0xFFFF;

    private const int EntersShift = 16;
    private const ulong OneEnter = 1UL << EntersShift;

    private readonly ReaderSlot* _slot;
    private readonly bool _fenced;
    private ulong _stamp;
    private ulong _disposedElsewhere;

    public ReaderSlotLease(ReaderSlotTable table, int index, ReaderSlot* slot, bool fenced)
        : base(index)
    {
        _fenced = fenced;
        Table = table;
        _slot = slot;
        _stamp = ReaderPin.Enters(SharedMemory.ReadAcquire(&slot->Pin)) << EntersShift;
    }

    ~ReaderSlotLease() => Table.Return(this);

    /// <summary>The table the slot belongs to.</summary>
    public ReaderSlotTable Table { get; }


    /// <summary>The managed thread that holds the lease.</summary>
    public int ThreadId => Owner.ManagedThreadId;

    /// <summary>The stamp of the innermost open guard (depth 0: none is open).</summary>
    public ulong Stamp => _stamp;

    /// <summary>How many outermost guards this slot has entered: names the current one in the pin word.</summary>
    public ulong Enters => _stamp >> EntersShift;

    /// <summary>The publish sequence the outermost open guard pinned.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>
    /// Whether the guard of <paramref name="stamp"/> is open: the lease's stamp is it, or a guard nested in it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsOpen(ulong stamp) => _stamp - stamp <= DepthMask - (stamp & DepthMask);

    /// <summary>
    /// Opens a guard and returns its stamp: the outermost one pins the copy last published at
    /// <paramref name="published"/>; a nested one shares it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Enter(ulong* published)
    {
        ulong stamp = _stamp;
        if ((stamp & DepthMask) == 0)
        {
            stamp += OneEnter + 1;
            _stamp = stamp;
            Pin(stamp >> EntersShift, published);
            return stamp;
        }
        return EnterNested(stamp, published);
    }

    /// <summary>
    /// Ends the guard of <paramref name="stamp"/>: the outermost one unpins. <see cref="InvalidOperationException"/>
    /// if it is not the innermost open guard, or on another thread; nothing once the lease has ended.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(ulong stamp)
    {
        if (_stamp == stamp && (stamp & DepthMask) == 1 && ReaderSlotTable.IsLastUsedHere(this))
        {
            _stamp = stamp - 1;
            Unpin(stamp >> EntersShift);
            return;
        }
        ExitChecked(stamp);
    }

    /// <summary>Marks the lease ended (its table is disposed): every guard of it fails its check from now on.</summary>
    public void End() => _stamp = 0; // below every guard's stamp (each has entered at least once)

    /// <summary>
    /// Pins the copy named by the publish sequence at <paramref name="published"/> (copy = sequence &amp; 1) as
    /// guard <paramref name="enters"/>: says which copy it reads, then reads the sequence again. A writer that
    /// flips the sequence and then scans the slots either sees the guard on the old copy (and waits for it) or is
    /// seen by the second read, which then finds the sequence changed and pins anew (see
    /// <see cref="PinAfterPublish"/>). That needs the announcement ordered before the second read: a fence here,
    /// or (registered processes) the writer's system-wide barrier between its flip and its scan, which keeps the
    /// fence (and its stall of this thread's pending loads) out of reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Pin(ulong enters, ulong* published)
    {
        ReaderSlot* slot = _slot;
        ulong sequence = SharedMemory.ReadAcquire(published);
        slot->PinnedSequence = sequence; // for inspectors; the pin word below publishes it
        Announce(slot, ReaderPin.Make(enters, ReaderPin.OnCopyOf(sequence)));
        if (SharedMemory.ReadAcquire(published) != sequence)
        {
            sequence = PinAfterPublish(enters, published);
        }
        Sequence = sequence;
    }

    /// <summary>
    /// Pins for a guard whose first announcement raced a publish, in a bounded number of steps (a retry of the
    /// above could race the next publish): announce a guard that may read either copy, which every writer waits
    /// for; read the sequence; then say which copy it names.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong PinAfterPublish(ulong enters, ulong* published)
    {
        Announce(_slot, ReaderPin.Make(enters, ReaderPin.Entering));
        ulong sequence = SharedMemory.ReadAcquire(published);
        _slot->PinnedSequence = sequence;
        // Release: the sequence above is visible before the writer sees which copy is pinned.
        SharedMemory.WriteRelease(&_slot->Pin, ReaderPin.Make(enters, ReaderPin.OnCopyOf(sequence)));
        return sequence;
    }

    /// <summary>Writes <paramref name="pin"/> to <paramref name="slot"/>, ordered before this thread's next read of the publish sequence (see <see cref="Pin"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Announce(ReaderSlot* slot, ulong pin)
    {
        if (_fenced)
        {
            // Full fence: the announcement is visible to the writer before this thread reads the sequence.
            Interlocked.Exchange(ref slot->Pin, pin);
        }
        else
        {
            // Release only: the writer's system-wide barrier orders it before the read after it, for the writer.
            SharedMemory.WriteRelease(&slot->Pin, pin);
        }
    }

    /// <summary>Ends the outermost guard, entered as <paramref name="enters"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unpin(ulong enters) =>
        // Release: every read of the pinned copy happens before the writer sees the slot idle and rewrites it.
        SharedMemory.WriteRelease(&_slot->Pin, ReaderPin.Make(enters, ReaderPin.Idle));

    private ulong EnterNested(ulong stamp, ulong* published)
    {
        if (stamp == Volatile.Read(ref _disposedElsewhere) && (stamp & DepthMask) == 1)
        {
            // The only open guard is an outermost one disposed on another thread (which threw): end it here, on
            // the thread that took it, and begin a new one instead of nesting in its old snapshot.
            Unpin(stamp >> EntersShift);
            stamp += OneEnter;
            _stamp = stamp;
            Pin(stamp >> EntersShift, published);
            return stamp;
        }
        if ((stamp & DepthMask) == DepthMask)
        {
            throw new InvalidOperationException($"read guards are nested more than {DepthMask} deep on this thread");
        }
        _stamp = stamp + 1;
        return stamp + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExitChecked(ulong stamp)
    {
        if (_stamp == 0)
        {
            return; // the reader was disposed first, and released its slots: nothing left to end
        }
        if (Environment.CurrentManagedThreadId != ThreadId)
        {
            if ((stamp & DepthMask) == 1)
            {
                // Release: the thread that took the guard ends it at its next guard of this reader (see EnterNested).
                Volatile.Write(ref _disposedElsewhere, stamp);
            }
            throw new InvalidOperationException(
                "a read guard must be disposed on the thread that took it (an outermost one ends when that thread next takes a guard of the reader)");
        }
        if (_stamp != stamp || (stamp & DepthMask) == 0)
        {
            throw new InvalidOperationException("a read guard was disposed twice, or before a guard taken after it");
        }
        _stamp = stamp - 1;
        if ((stamp & DepthMask) == 1)
        {
            Unpin(stamp >> EntersShift);
        }
    }
}
