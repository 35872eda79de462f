namespace ShmMaps.Core.Registry;

/// <summary>
/// A lane this process holds: the write protocol's steps, each recorded in the lane before it is taken.
/// </summary>
/// <remarks>
/// Writing the bytes of a cell guarded by the lock word at <c>L</c>:
/// <list type="number">
/// <item><see cref="MarkLocking"/>: intent = (L, Locking), release; a crash from here on leaves a trail.</item>
/// <item>The caller CASes L from free to <see cref="OwnerTag"/> (a full fence).</item>
/// <item><see cref="SaveUndo"/>: the cell's current bytes into the lane, then state Active (release), then a
///   store-store barrier so that no data store comes before it.</item>
/// <item>The caller writes the new bytes.</item>
/// <item><see cref="Commit"/>: the lane's entry count (release), then state Done (release): before the unlock,
///   so that no recovery rolls back a value others may already have read.</item>
/// <item>The caller releases L with the next version (release).</item>
/// </list>
/// A recoverer acts only on a word still locked by this lane, so a stale intent is harmless.
/// </remarks>
internal sealed unsafe class Lane
{
    private readonly LaneRecord* _record;
    private readonly byte* _undo;
    private readonly int _undoCapacity;

    public Lane(LaneTable table, int index, uint generation, LaneRecord* record, int undoCapacity)
    {
        Table = table;
        Index = index;
        Generation = generation;
        OwnerTag = LaneOwner.Tag(index, generation);
        _record = record;
        _undo = (byte*)record + LaneRecord.Size;
        _undoCapacity = undoCapacity;
    }

    /// <summary>The table this lane belongs to.</summary>
    public LaneTable Table { get; }

    /// <summary>The lane's index.</summary>
    public int Index { get; }

    /// <summary>The generation this holder claimed the lane at.</summary>
    public uint Generation { get; }

    /// <summary>The low half of a lock word this lane holds.</summary>
    public ulong OwnerTag { get; }

    /// <summary>What the map kind keeps for this lane in this handle (set by the lane's thread on first use).</summary>
    public object? Attachment { get; set; }

    /// <summary>The lane's record in shared memory.</summary>
    public LaneRecord* Record => _record;

    /// <summary>Step 1: names the word about to be locked, state Locking (release: the offset is published with it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkLocking(long lockOffset)
    {
        _record->IntentLockOffset = lockOffset;
        SharedMemory.WriteRelease(&_record->IntentState, (uint)IntentState.Locking);
    }

    /// <summary>
    /// Step 3: saves <paramref name="length"/> bytes at <paramref name="data"/> (file offset
    /// <paramref name="dataOffset"/>) as the undo image, then state Active.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SaveUndo(long dataOffset, byte* data, int length)
    {
        CheckUndoLength(length);
        Unsafe.CopyBlockUnaligned(_undo, data, (uint)length);
        SetActive(dataOffset, length, _record->EntryCount);
    }

    /// <summary>
    /// The recovery form of step 3: the undo image is another lane's (the value the cell had before a dead
    /// writer touched it), and rolling back must also leave this lane's count at <paramref name="countTarget"/>.
    /// </summary>
    public void SaveUndoFrom(long dataOffset, byte* undoImage, int length, long countTarget)
    {
        CheckUndoLength(length);
        Unsafe.CopyBlockUnaligned(_undo, undoImage, (uint)length);
        SetActive(dataOffset, length, countTarget);
    }

    /// <summary>Step 5: publishes the entry count change, then state Done (both release: the data stores come first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit(long countDelta)
    {
        if (countDelta != 0)
        {
            SharedMemory.WriteRelease(&_record->EntryCount, _record->EntryCount + countDelta);
        }
        SharedMemory.WriteRelease(&_record->IntentState, (uint)IntentState.Done);
    }

    /// <summary>Records a plain lock (no data of its own) about to be taken or held (release).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkHolding(long lockOffset) => SharedMemory.WriteRelease(&_record->HeldLockOffset, lockOffset);

    /// <summary>Forgets the plain lock after its release.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ClearHolding() => SharedMemory.WriteRelease(&_record->HeldLockOffset, 0);

    /// <summary>The undo area from <paramref name="start"/> on, <paramref name="capacity"/> bytes: where a scope writes its redo log.</summary>
    public byte* ScopeLogArea(int start, out int capacity)
    {
        capacity = _undoCapacity - start;
        return _undo + start;
    }

    /// <summary>
    /// Decides a scope whose <paramref name="records"/> records the caller wrote at <see cref="ScopeLogArea"/>
    /// (<paramref name="start"/>): state Committing (release), then the entry count moved by
    /// <paramref name="countDelta"/>. From here on the records will be written, by us or by a recoverer.
    /// </summary>
    public void CommitScope(int start, int records, long countDelta)
    {
        _record->ScopeLogStart = (uint)start;
        _record->ScopeRecords = (uint)records;
        long target = _record->EntryCount + countDelta;
        _record->ScopeCountTarget = target;
        // Release: the log is complete before anyone (or a crash) sees Committing.
        SharedMemory.WriteRelease(&_record->ScopeState, (uint)ScopeState.Committing);
        // No record may be applied before Committing is visible: a crash would leave it half applied and no log.
        SharedMemory.StoreStoreBarrier();
        SharedMemory.WriteRelease(&_record->EntryCount, target);
    }

    /// <summary>
    /// Says that the first <paramref name="records"/> records of the scope log at <paramref name="start"/> name words this
    /// lane is about to hold or holds (state Holding): written before each word is locked, so that whoever claims the
    /// lane after a crash releases them (release: the records come first).
    /// </summary>
    public void HoldScope(int start, int records)
    {
        _record->ScopeLogStart = (uint)start;
        SharedMemory.WriteRelease(&_record->ScopeRecords, (uint)records);
        SharedMemory.WriteRelease(&_record->ScopeState, (uint)ScopeState.Holding);
    }

    /// <summary>Ends a scope once its words are released (release: its writes and releases come first).</summary>
    public void FinishScope() => SharedMemory.WriteRelease(&_record->ScopeState, (uint)ScopeState.None);

    /// <summary>Records that this lane is about to apply lane <paramref name="lane"/>'s committed scope to the word at <paramref name="lockOffset"/>.</summary>
    public void MarkRollingForward(long lockOffset, int lane)
    {
        _record->IntentLockOffset = lockOffset;
        _record->RollForwardLane = lane;
        // Release: the lane named is published with the state.
        SharedMemory.WriteRelease(&_record->IntentState, (uint)IntentState.RollingForward);
    }

    /// <summary>Marks the current intent finished (release).</summary>
    public void MarkDone() => SharedMemory.WriteRelease(&_record->IntentState, (uint)IntentState.Done);

    /// <summary>The undo image area (for a claimer restoring its own lane's image).</summary>
    public byte* UndoImage => _undo;

    /// <summary>Refuses an undo image larger than the lane's room before anything is copied into it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckUndoLength(int length)
    {
        if ((uint)length > (uint)_undoCapacity)
        {
            ThrowUndoTooLong(length);
        }
    }

    /// <summary>Out of line: the message's formatting would otherwise be inlined into every writer's hot path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowUndoTooLong(int length) =>
        ThrowHelper.ThrowCorrupt($"map '{Table.MapName}': an undo image of {length} bytes exceeds lane {Index}'s room of {_undoCapacity}");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetActive(long dataOffset, int length, long countTarget)
    {
        _record->UndoLength = (uint)length;
        _record->IntentDataOffset = dataOffset;
        _record->CountTarget = countTarget;
        // Release: the image and the fields above are complete before anyone (or a crash) sees Active.
        SharedMemory.WriteRelease(&_record->IntentState, (uint)IntentState.Active);
        // No data store of the caller may be done before Active: a crash would leave a torn cell and no undo.
        SharedMemory.StoreStoreBarrier();
    }
}
