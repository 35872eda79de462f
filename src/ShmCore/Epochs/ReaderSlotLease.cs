using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;

namespace ShmMaps.Core.Epochs;

/// <summary>
/// A reader slot held by one thread of this process: pins a copy for the outermost guard and unpins it when
/// that guard ends. When the thread ends the lease becomes garbage and gives the slot back to its table.
/// </summary>
internal sealed unsafe class ReaderSlotLease
{
    private readonly ReaderSlot* _slot;
    private ulong _enters;

    private readonly bool _fenced;

    public ReaderSlotLease(ReaderSlotTable table, int index, ReaderSlot* slot, bool fenced)
    {
        _fenced = fenced;
        Table = table;
        Index = index;
        _slot = slot;
        _enters = ReaderPin.Enters(SharedMemory.ReadAcquire(&slot->Pin));
        ThreadId = Environment.CurrentManagedThreadId;
    }

    ~ReaderSlotLease() => Table.Return(this);

    /// <summary>The table the slot belongs to.</summary>
    public ReaderSlotTable Table { get; }

    /// <summary>The slot's index.</summary>
    public int Index { get; }

    /// <summary>The managed thread that holds the lease.</summary>
    public int ThreadId { get; }

    /// <summary>How many guards of this thread are open (nested guards share the outermost one's copy).</summary>
    public int Depth { get; set; }

    /// <summary>How many outermost guards this slot has entered: names the current one.</summary>
    public ulong Enters => _enters;

    /// <summary>The publish sequence the outermost open guard pinned.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>
    /// Pins the copy named by the publish sequence at <paramref name="published"/> (copy = sequence &amp; 1) and
    /// returns the sequence: announce first, then read the sequence, so that a writer that flips it and then
    /// scans the slots either sees this slot entering or is seen by it. That needs the announcement ordered
    /// before the read: a fence here, or (registered processes) the writer's system-wide barrier between its
    /// flip and its scan, which keeps the fence (and its stall of this thread's pending loads) out of reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Pin(ulong* published)
    {
        ulong enters = ++_enters;
        ulong entering = ReaderPin.Make(enters, ReaderPin.Entering);
        if (_fenced)
        {
            // Full fence: the announcement is visible to the writer before this thread reads the sequence.
            Interlocked.Exchange(ref _slot->Pin, entering);
        }
        else
        {
            // Release only: the writer's system-wide barrier orders it before the read below, for the writer.
            SharedMemory.WriteRelease(&_slot->Pin, entering);
        }
        ulong sequence = SharedMemory.ReadAcquire(published);
        _slot->PinnedSequence = sequence;
        // Release: the sequence above is visible before the writer sees which copy is pinned.
        SharedMemory.WriteRelease(&_slot->Pin, ReaderPin.Make(enters, ReaderPin.OnCopy((int)(sequence & 1))));
        Sequence = sequence;
        return sequence;
    }

    /// <summary>Marks the lease ended (its table is disposed): every guard of it fails its check from now on.</summary>
    public void End()
    {
        Depth = int.MinValue;
        _enters = ulong.MaxValue;
    }

    /// <summary>
    /// Ends the guard that entered as <paramref name="enters"/> at <paramref name="depth"/>: the outermost one
    /// unpins. <see cref="InvalidOperationException"/> if it is not the innermost open guard, or on another thread.
    /// Out of line, so that the <c>finally</c> of a <c>using</c> stays small enough to be copied into the loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Exit(ulong enters, int depth)
    {
        if (_enters != enters || Depth != depth)
        {
            ThrowDisposedOutOfOrder();
        }
        if (Environment.CurrentManagedThreadId != ThreadId)
        {
            ThrowOtherThread();
        }
        if (--Depth == 0)
        {
            Unpin();
        }
    }

    /// <summary>Ends the outermost guard.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Unpin() =>
        // Release: every read of the pinned copy happens before the writer sees the slot idle and rewrites it.
        SharedMemory.WriteRelease(&_slot->Pin, ReaderPin.Make(_enters, ReaderPin.Idle));

    private static void ThrowDisposedOutOfOrder() =>
        throw new InvalidOperationException("a read guard was disposed twice, or before a guard taken after it");

    private static void ThrowOtherThread() =>
        throw new InvalidOperationException("a read guard must be disposed on the thread that took it");
}
