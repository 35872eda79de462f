using ShmMaps.Rw;

namespace ShmMaps;

public sealed unsafe partial class RwStore<T>
{
    /// <summary>
    /// Takes a read lock on the element <paramref name="id"/>, waiting for a writer up to <see cref="ShmOptions.LockTimeout"/>
    /// (then <see cref="TimeoutException"/> naming the holder's process). False if the id is not live.
    /// </summary>
    public bool TryRead(ShmId id, out ReadLock<T> guard) => TryRead(id, _region.Options.LockTimeout, throwOnTimeout: true, out guard);

    /// <summary>
    /// Takes a read lock on the element <paramref name="id"/>, waiting up to <paramref name="timeout"/> for a writer
    /// (<see cref="TimeSpan.Zero"/>: not at all; <see cref="Timeout.InfiniteTimeSpan"/>: forever). False if the id is not
    /// live or the time passed.
    /// </summary>
    public bool TryRead(ShmId id, TimeSpan timeout, out ReadLock<T> guard) => TryRead(id, CheckTimeout(timeout), throwOnTimeout: false, out guard);

    /// <summary>Takes the write lock on the element <paramref name="id"/>, like <see cref="TryRead(ShmId, out ReadLock{T})"/>.</summary>
    public bool TryWrite(ShmId id, out WriteLock<T> guard) => TryWrite(id, _region.Options.LockTimeout, throwOnTimeout: true, out guard);

    /// <summary>Takes the write lock on the element <paramref name="id"/>, like <see cref="TryRead(ShmId, TimeSpan, out ReadLock{T})"/>.</summary>
    public bool TryWrite(ShmId id, TimeSpan timeout, out WriteLock<T> guard) => TryWrite(id, CheckTimeout(timeout), throwOnTimeout: false, out guard);

    /// <summary>
    /// Removes the element <paramref name="id"/>, waiting for its locks (up to <see cref="ShmOptions.LockTimeout"/>, then
    /// <see cref="TimeoutException"/>); false if the id is not live. The id, and every copy of it, is stale from here on.
    /// </summary>
    public bool TryRemove(ShmId id, out T value)
    {
        if (!TryLockWrite(id, _region.Options.LockTimeout, throwOnTimeout: true, out HoldRecord* record, out ulong held, out ulong* word, out T* element))
        {
            value = default;
            return false;
        }
        value = *element;
        LaneHolds holds = _table.CurrentHolds();
        try
        {
            FreeList.Lock(_table, holds);
        }
        catch
        {
            ElementLocks.ReleaseWrite(_table, record, held, word);
            throw;
        }
        try
        {
            // Release: Done says the element is final (nothing to undo); the slot is freed under the free-list lock.
            SharedMemory.WriteRelease(&record->State, HoldRecord.WithState(held, HoldState.WriteDone));
            FreeList.Remove(_table, holds, record, word);
        }
        finally
        {
            FreeList.Unlock(_table);
        }
        // Release: the element is gone before the write record is free.
        SharedMemory.WriteRelease(&record->State, 0);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRead(ShmId id, TimeSpan timeout, bool throwOnTimeout, out ReadLock<T> guard)
    {
        long slot = (long)(uint)id.Value;
        if (id.Store != _storeId || !IsSlotInUse(slot))
        {
            guard = default;
            return false;
        }
        ThrowIfDisposed();
        LaneHolds holds = _table.CurrentHolds();
        HoldRecord* record = holds.TakeFree();
        if (record == null)
        {
            ThrowTooManyLocks();
        }
        ulong* word = _table.Locate(slot, out byte* value);
        ulong announced = holds.NextWord(HoldState.ReadAcquiring);
        record->Element = id.Value;
        // Release: the element named is published with the state.
        SharedMemory.WriteRelease(&record->State, announced);
        ulong seen = SharedMemory.ReadAcquire(word);
        ulong held;
        // Full fence (CAS): the Acquiring record is visible to anyone who sees us counted in the word.
        if (ElementWord.ReadableAt(seen, id.Generation) && SharedMemory.CompareExchange(word, seen + 1, seen) == seen)
        {
            held = HoldRecord.WithState(announced, HoldState.ReadHeld);
            // Release: the record says it holds only after the CAS that made it hold.
            SharedMemory.WriteRelease(&record->State, held);
        }
        else if ((held = ElementLocks.Acquire(_table, holds, record, id.Value, write: false, timeout, throwOnTimeout)) == 0)
        {
            guard = default;
            return false;
        }
        guard = new ReadLock<T>(new ElementHold(_table, record, held, word, value));
        return true;
    }

    private bool TryWrite(ShmId id, TimeSpan timeout, bool throwOnTimeout, out WriteLock<T> guard)
    {
        if (TryLockWrite(id, timeout, throwOnTimeout, out HoldRecord* record, out ulong held, out ulong* word, out T* value))
        {
            guard = new WriteLock<T>(new ElementHold(_table, record, held, word, value));
            return true;
        }
        guard = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryLockWrite(ShmId id, TimeSpan timeout, bool throwOnTimeout, out HoldRecord* record, out ulong held, out ulong* word, out T* value)
    {
        long slot = (long)(uint)id.Value;
        if (id.Store != _storeId || !IsSlotInUse(slot))
        {
            record = null;
            held = 0;
            word = null;
            value = null;
            return false;
        }
        ThrowIfDisposed();
        LaneHolds holds = _table.CurrentHolds();
        record = holds.TakeFree();
        if (record == null)
        {
            ThrowTooManyLocks();
        }
        word = _table.Locate(slot, out byte* bytes);
        value = (T*)bytes;
        ulong announced = holds.NextWord(HoldState.WriteAcquiring);
        record->Element = id.Value;
        // Release: the element named is published with the state.
        SharedMemory.WriteRelease(&record->State, announced);
        ulong seen = SharedMemory.ReadAcquire(word);
        // Full fence (CAS): the Acquiring record is visible to anyone who sees the writer bit.
        if (ElementWord.WritableAt(seen, id.Generation)
            && SharedMemory.CompareExchange(word, (seen & ~ElementWord.PendingBit) | ElementWord.WriterBit, seen) == seen)
        {
            *(T*)RwTable.UndoImage(record) = *value;
            held = HoldRecord.WithState(announced, HoldState.WriteActive);
            // Release: the undo image is complete before Active; no store through the lock may come before it.
            SharedMemory.WriteRelease(&record->State, held);
            SharedMemory.StoreStoreBarrier();
        }
        else if ((held = ElementLocks.Acquire(_table, holds, record, id.Value, write: true, timeout, throwOnTimeout)) == 0)
        {
            return false;
        }
        return true;
    }

    /// <summary>
    /// Whether <paramref name="slot"/> was ever handed out, so that its block is reserved (a slot past that is no live
    /// id's, and touching its memory could fault on a full file system). Slots handed out only grow: the count seen
    /// last answers most ids without reading the shared counter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsSlotInUse(long slot) => (ulong)slot < (ulong)_usedSlotsSeen || IsSlotInUseNow(slot);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsSlotInUseNow(long slot)
    {
        long used = _table.UsedSlots;
        _usedSlotsSeen = used; // benign race: every value written was true once, and the count only grows
        return (ulong)slot < (ulong)used;
    }
}
