namespace ShmMaps.Core.Locking;

/// <summary>
/// The redo log of a lock scope in a lane's undo area: the new bytes of every piece of data the scope
/// changes, each with the lock word that guards it.
/// </summary>
/// <remarks>
/// <code>
/// record  0  i64 lock offset    the word guarding the data (held by the scope's lane)
///         8  i64 data offset    where the bytes go
///        16  u32 length
///        20  u32 reserved
///        24  the bytes, padded to 8
/// </code>
/// A scope writes its log, then marks the lane Committing: from then on its writes happen, whoever does
/// them. Writing a record is idempotent (the same bytes to the same place), so a recoverer of any word of
/// a dead scope writes that word's records, sets the dead lane's count to the scope's target (also
/// idempotent), and releases the word; no record is ever needed twice by different words.
/// </remarks>
internal static unsafe class ScopeLog
{
    public const int RecordHeader = 24;

    /// <summary>The bytes a record of <paramref name="length"/> bytes takes.</summary>
    public static int RecordSize(int length) => RecordHeader + ((length + 7) & ~7);

    /// <summary>Writes a record at <paramref name="at"/>; returns the bytes it took.</summary>
    public static int Write(byte* at, long lockOffset, long dataOffset, ReadOnlySpan<byte> bytes)
    {
        *(long*)at = lockOffset;
        *(long*)(at + 8) = dataOffset;
        *(uint*)(at + 16) = (uint)bytes.Length;
        bytes.CopyTo(new Span<byte>(at + RecordHeader, bytes.Length));
        return RecordSize(bytes.Length);
    }

    /// <summary>True if the committing scope of <paramref name="lane"/> has records guarded by the word at <paramref name="lockOffset"/>.</summary>
    public static bool Covers(MapAddressSpace memory, LaneRecord* lane, int undoCapacity, long lockOffset)
    {
        bool covers = false;
        Walk(memory, lane, undoCapacity, (offset, _, _) => covers |= offset == lockOffset);
        return covers;
    }

    /// <summary>Every distinct lock offset of the scope's records.</summary>
    public static List<long> LockOffsets(MapAddressSpace memory, LaneRecord* lane, int undoCapacity)
    {
        var offsets = new List<long>();
        Walk(memory, lane, undoCapacity, (offset, _, _) =>
        {
            if (!offsets.Contains(offset))
            {
                offsets.Add(offset);
            }
        });
        return offsets;
    }

    /// <summary>Writes the records guarded by <paramref name="lockOffset"/> (the caller holds that word).</summary>
    public static void Apply(MapAddressSpace memory, LaneRecord* lane, int undoCapacity, long lockOffset) =>
        Walk(memory, lane, undoCapacity, (offset, data, bytes) =>
        {
            if (offset == lockOffset)
            {
                bytes.CopyTo(new Span<byte>(memory.Pointer(data, bytes.Length), bytes.Length));
            }
        });

    private delegate void RecordAction(long lockOffset, long dataOffset, Span<byte> bytes);

    /// <summary>Visits the records, bounds-checked against the lane's undo area (a damaged log is a <see cref="CorruptMapException"/>).</summary>
    private static void Walk(MapAddressSpace memory, LaneRecord* lane, int undoCapacity, RecordAction action)
    {
        byte* undo = (byte*)lane + LaneRecord.Size;
        long at = lane->ScopeLogStart;
        for (uint i = 0; i < lane->ScopeRecords; i++)
        {
            if (at < 0 || at + RecordHeader > undoCapacity)
            {
                ThrowHelper.ThrowCorrupt("a lane's scope log runs past its undo area");
            }
            byte* record = undo + at;
            uint length = *(uint*)(record + 16);
            if (length > undoCapacity - at - RecordHeader)
            {
                ThrowHelper.ThrowCorrupt("a lane's scope log record runs past its undo area");
            }
            action(*(long*)record, *(long*)(record + 8), new Span<byte>(record + RecordHeader, (int)length));
            at += RecordSize((int)length);
        }
    }
}
