namespace ShmMaps.Rw;

/// <summary>What a <see cref="ReadLock{T}"/> or <see cref="WriteLock{T}"/> holds: the hold record and its state word while held, the element's word and value.</summary>
internal readonly unsafe struct ElementHold
{
    public ElementHold(RwTable table, HoldRecord* record, ulong held, ulong* word, void* value)
    {
        Table = table;
        Record = record;
        Held = held;
        Word = word;
        Value = value;
    }

    public RwTable Table { get; }

    public HoldRecord* Record { get; }

    /// <summary>The record's state word while this lock holds it (its ticket tells it from the record's later uses).</summary>
    public ulong Held { get; }

    public ulong* Word { get; }

    public void* Value { get; }

    /// <summary>The value, after checking the lock is still held; <see cref="ObjectDisposedException"/> if it was released or its store disposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* CheckedValue()
    {
        // Acquire: pairs with the release that frees the record, so a released lock is seen as released.
        if (Record == null || Table.Region.IsDisposed || SharedMemory.ReadAcquire(&Record->State) != Held)
        {
            ElementLocks.ThrowReleased();
        }
        return Value;
    }
}
