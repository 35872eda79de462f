namespace ShmMaps.Blob;

/// <summary>
/// A blob map's log of changes: a ring of <see cref="Slots"/> slots in the heap, made by the first watcher, into which
/// every write after that logs its key and what it did; watchers follow it, parked on its head between changes.
/// </summary>
/// <remarks>
/// <code>
///   0  u64 head      positions handed out (a writer takes the next with one atomic add; its low half is the futex word)
///   8  i32 sleepers  watchers parked, or about to park, on the head
///  64  slots         [Slots] x 256 bytes:
///                    0 u64 sequence  2p + 1 while position p is written into the slot, 2p + 2 once it is whole
///                    8 u8  kind      BlobChangeKind
///                    9 u8  truncated 1: the key was longer than the slot holds (not logged)
///                   10 u16 length    the key's bytes in the slot
///                   12 i32 pid       the writer
///                   24 key           up to MaxKeyBytes
/// </code>
/// A write takes its position and fills the slot before its entry goes into the cell, and marks the slot whole after,
/// so that a watcher that reads a whole slot finds the key's new state in the map; a writer killed in between leaves
/// the slot unfinished, which a watcher reports as missed. A slot is reused every <see cref="Slots"/> positions: a
/// watcher that far behind finds its positions overwritten and reports them missed.
/// </remarks>
internal readonly unsafe struct BlobChangeLog(byte* start)
{
    public const int Slots = 4096;
    public const int SlotBytes = 256;
    public const int MaxKeyBytes = SlotBytes - KeyOffset;
    public const long Bytes = HeaderBytes + ((long)Slots * SlotBytes);

    private const int HeaderBytes = 64;
    private const int KindOffset = 8;
    private const int TruncatedOffset = 9;
    private const int LengthOffset = 10;
    private const int PidOffset = 12;
    private const int KeyOffset = 24;

    public ulong* Head => (ulong*)start;

    public int* Sleepers => (int*)(start + 8);

    /// <summary>Takes the next position and fills its slot (still unfinished); returns the position.</summary>
    public ulong Begin(BlobChangeKind kind, ReadOnlySpan<byte> key)
    {
        ulong position = (ulong)SharedMemory.Add((long*)Head, 1) - 1;
        byte* slot = Slot(position);
        SharedMemory.WriteRelease((ulong*)slot, (2 * position) + 1);
        SharedMemory.StoreStoreBarrier(); // the slot reads unfinished before any of its fields change
        bool fits = key.Length <= MaxKeyBytes;
        slot[KindOffset] = (byte)kind;
        slot[TruncatedOffset] = fits ? (byte)0 : (byte)1;
        *(ushort*)(slot + LengthOffset) = fits ? (ushort)key.Length : (ushort)0;
        *(int*)(slot + PidOffset) = Environment.ProcessId;
        if (fits)
        {
            key.CopyTo(new Span<byte>(slot + KeyOffset, MaxKeyBytes));
        }
        return position;
    }

    /// <summary>Marks <paramref name="position"/>'s slot whole (unless a writer a whole ring later took it meanwhile); true if a watcher may be parked.</summary>
    public bool Complete(ulong position)
    {
        // Release: the fields (and the cell the write changed) are visible before the slot reads whole.
        SharedMemory.CompareExchange((ulong*)Slot(position), (2 * position) + 2, (2 * position) + 1);
        Interlocked.MemoryBarrier(); // full fence: a watcher that registered before it is seen below, one after sees the slot
        return SharedMemory.ReadAcquire((uint*)Sleepers) != 0;
    }

    /// <summary>
    /// Reads position <paramref name="position"/>: true and the change once its slot is whole; false with
    /// <paramref name="overwritten"/> if a later position took the slot, or without it if the slot is not yet whole.
    /// </summary>
    public bool TryRead(ulong position, out BlobChange change, out bool overwritten)
    {
        byte* slot = Slot(position);
        ulong whole = (2 * position) + 2;
        ulong sequence = SharedMemory.ReadAcquire((ulong*)slot);
        change = default;
        overwritten = sequence > whole && sequence != 0;
        if (sequence != whole)
        {
            return false;
        }
        var kind = (BlobChangeKind)slot[KindOffset];
        bool truncated = slot[TruncatedOffset] != 0;
        int length = Math.Min((int)*(ushort*)(slot + LengthOffset), MaxKeyBytes);
        int pid = *(int*)(slot + PidOffset);
        string? key = truncated ? null : System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(slot + KeyOffset, length));
        SharedMemory.LoadLoadBarrier();
        if (SharedMemory.ReadAcquire((ulong*)slot) != whole)
        {
            overwritten = true;
            return false;
        }
        if (kind is not (BlobChangeKind.Set or BlobChangeKind.Removed or BlobChangeKind.Evicted))
        {
            ThrowHelper.ThrowCorrupt($"the change log's slot of position {position} says change kind {(int)kind}");
        }
        change = new BlobChange(kind, key, pid, 0);
        return true;
    }

    private byte* Slot(ulong position) => start + HeaderBytes + ((long)(position % Slots) * SlotBytes);
}
