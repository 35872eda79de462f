using ShmMaps.Striped;

namespace ShmMaps;

/// <summary>
/// The stripes of a set of keys, locked for one scope: the named keys are read and written through it, and
/// its writes reach the map all together when it is disposed, for other processes and across crashes alike.
/// </summary>
/// <remarks>
/// Each stripe is listed in the lane's scope log before it is locked. Writes go to a private copy of each locked
/// stripe. Dispose writes the changed cells into the log after the list, marks the scope committing, writes them
/// into the map and releases the stripes. A process killed before that mark changed nothing (the next process to need
/// a stripe, or to claim the lane, finds the holder dead and releases it); one killed after it is finished by that
/// process, which writes the logged cells again. Dispose always commits what was written, also when leaving a
/// <c>using</c> block by an exception. One thread at a time (it may be another than the creator's, which may even
/// have ended); at most 16 distinct keys; a thread holds one KeyLock of a map at a time.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed unsafe partial class KeyLock<TKey, TValue> : IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly StripedMap<TKey, TValue> _map;
    private readonly Lane _lane;
    private readonly object _laneLease;
    private readonly TKey[] _keys;
    private int[] _stripeOfKey = [];
    private nint[] _stripes = [];
    private ulong[] _lockedFrom = [];
    private byte[][] _copies = [];
    private StripedView _view;
    private int _held;
    private bool _added;
    private bool _stripeFull;
    private bool _disposed;

    internal KeyLock(StripedMap<TKey, TValue> map, Lane lane, object laneLease, TKey[] keys)
    {
        _map = map;
        _lane = lane;
        _laneLease = laneLease; // kept reachable: the lane stays ours even if the creating thread ends first
        _keys = (TKey[])keys.Clone();
        int distinct = _keys.Distinct().Count();
        if (distinct > KeyLockLog.MaxKeys)
        {
            throw new ArgumentException($"a KeyLock takes at most {KeyLockLog.MaxKeys} distinct keys, not {distinct}", nameof(keys));
        }
        ScopedStripes scoped = ScopedStripes.Of(lane);
        scoped.Open();
        try
        {
            while (true)
            {
                // During a migration the keys' old stripes are moved first; a migration that begins while we lock
                // makes us let go and lock the new table's stripes (no write lands in a table after its migration began).
                _view = map.PrepareKeyLock(_keys);
                LockStripesOf(_view.Newest, scoped);
                if (map.IsWriteTarget(_view.Newest))
                {
                    break;
                }
                ReleaseStripes(scoped);
                _lane.FinishScope();
            }
            _copies = new byte[_stripes.Length][];
            for (int s = 0; s < _stripes.Length; s++)
            {
                // A stripe is at most StripedLayout.MaxStripeBytes (checked at create and open): its size fits an int.
                _copies[s] = GC.AllocateUninitializedArray<byte>((int)map.StripeStride, pinned: true);
                new ReadOnlySpan<byte>((byte*)_stripes[s], _copies[s].Length).CopyTo(_copies[s]);
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Lists, then locks, the stripes of the keys in <paramref name="table"/>, in ascending order.</summary>
    private void LockStripesOf(StripeTable table, ScopedStripes scoped)
    {
        var byIndex = new SortedSet<long>();
        var stripeIndexOfKey = new long[_keys.Length];
        for (int i = 0; i < _keys.Length; i++)
        {
            stripeIndexOfKey[i] = _map.StripeIndexOf(table, _keys[i]);
            byIndex.Add(stripeIndexOfKey[i]);
        }
        long[] order = [.. byIndex];
        _stripes = [.. order.Select(index => (nint)table.Stripe(index))];
        _stripeOfKey = [.. stripeIndexOfKey.Select(index => Array.BinarySearch(order, index))];
        _lockedFrom = new ulong[_stripes.Length];
        MapAddressSpace memory = _map.Region.Space;
        byte* list = _lane.ScopeLogArea(LogStart, out _);
        for (; _held < _stripes.Length; _held++)
        {
            byte* stripe = (byte*)_stripes[_held];
            // Listed before locked: whoever claims the lane after a crash releases what the list names.
            ScopeLog.Write(list + (_held * ScopeLog.RecordSize(0)), memory.OffsetOf(stripe), 0, []);
            _lane.HoldScope(LogStart, _held + 1);
            _lockedFrom[_held] = _map.LockStripe(_lane, stripe);
            scoped.Add(_stripes[_held]);
        }
    }

    /// <summary>Where the scope's log starts in the lane's undo area: after the undo image of one cell, which the thread's other writes use.</summary>
    private static int LogStart => StripedMap<TKey, TValue>.CellStride;

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent.</summary>
    public TValue this[TKey key]
    {
        get
        {
            if (!TryGetValue(key, out TValue value))
            {
                throw new KeyNotFoundException($"key '{key}' is not in the map");
            }
            return value;
        }
        set => Insert(key, value);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public TValue? Get(TKey key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>Reads <paramref name="key"/> (one of the locked keys), this scope's own writes included.</summary>
    public bool TryGetValue(TKey key, out TValue value)
    {
        byte* cell = _map.FindIn(Copy(key), key);
        value = cell is null ? default : StripedMap<TKey, TValue>.ValueOfCell(cell);
        return cell is not null;
    }

    /// <summary>
    /// Sets <paramref name="key"/> (one of the locked keys), adding it if absent. If its stripe is full,
    /// <see cref="MapFullException"/>: the map grows when this KeyLock is disposed, and the add may be tried again then
    /// (unless the map cannot grow, at its largest table or with no memory for the next: the exception says which).
    /// </summary>
    public void Insert(TKey key, TValue value)
    {
        byte* copy = Copy(key);
        byte* cell = _map.TrySlotFor(copy, key, out _);
        if (cell is null)
        {
            _map.EnsureCanGrowForFullStripe(_view, key);
            _stripeFull = true;
            throw new MapFullException(
                $"map '{_map.Name}': the stripe of key '{key}' has all its {_map.CellsPerStripe} cells in use; the map grows when this KeyLock is disposed: lock the keys again and retry");
        }
        StripedMap<TKey, TValue>.StoreCell(cell, StripedLayout.Occupied, key, value);
    }

    /// <summary>Removes <paramref name="key"/> (one of the locked keys), giving its value.</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        byte* copy = Copy(key);
        byte* cell = _map.FindIn(copy, key);
        if (cell is null)
        {
            value = default;
            return false;
        }
        value = StripedMap<TKey, TValue>.ValueOfCell(cell);
        StripedMap<TKey, TValue>.StoreCell(cell, _map.RemovedState(copy, cell), default, default);
        return true;
    }

    /// <summary>
    /// Writes the scope's changes into the map, all together, and releases the stripes. After the map's own
    /// <c>Dispose</c> it does nothing: the handle's lanes went with the map, so other processes already treat the
    /// stripes as a dead process's and release them, and the scope's writes are dropped.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_map.Region.IsDisposed)
        {
            return;
        }
        try
        {
            if (Decide())
            {
                ApplyDecided();
            }
        }
        finally
        {
            Release();
        }
        if (_stripeFull)
        {
            try
            {
                _map.TryGrowForFullStripe(_view); // so that the add, tried again, finds room
            }
            catch (MapFullException)
            {
                // No memory for the next table: the add was refused already, and the next try says why.
            }
        }
        else if (_added)
        {
            _map.AfterKeyLock(_view);
        }
    }

    /// <summary>
    /// Commit, first half: the redo log of every cell whose copy differs, then the lane marked Committing. A crash
    /// before the mark leaves the map as it was; after it, a recoverer writes the logged cells. False if nothing changed.
    /// </summary>
    internal bool Decide()
    {
        MapAddressSpace memory = _map.Region.Space;
        int listed = _stripes.Length * ScopeLog.RecordSize(0);
        byte* log = _lane.ScopeLogArea(LogStart + listed, out int capacity);
        int stride = StripedMap<TKey, TValue>.CellStride;
        int used = 0, records = 0;
        long countDelta = 0;
        ForEachChangedCell((stripe, real, copy) =>
        {
            if (used + ScopeLog.RecordSize(stride) > capacity)
            {
                // Lanes are sized for the most a scope of MaxKeys can change (KeyLockLog): only a damaged file has less.
                ThrowHelper.ThrowCorrupt($"map '{_map.Name}': a KeyLock scope changed more cells than its lane's redo log holds");
            }
            used += ScopeLog.Write(log + used, memory.OffsetOf(stripe), memory.OffsetOf(real), new ReadOnlySpan<byte>(copy, stride));
            records++;
            countDelta += (StripedMap<TKey, TValue>.IsOccupied(copy) ? 1 : 0) - (StripedMap<TKey, TValue>.IsOccupied(real) ? 1 : 0);
        });
        if (records == 0)
        {
            return false;
        }
        _lane.CommitScope(LogStart, _stripes.Length + records, countDelta);
        _added = countDelta > 0;
        return true;
    }

    /// <summary>Commit, second half: the changed cells into the map (the stripes are released, and the scope ended, after).</summary>
    internal void ApplyDecided()
    {
        int stride = StripedMap<TKey, TValue>.CellStride;
        ForEachChangedCell((_, real, copy) => Unsafe.CopyBlockUnaligned(real, copy, (uint)stride));
    }

    private delegate void ChangedCell(byte* stripe, byte* real, byte* copy);

    private void ForEachChangedCell(ChangedCell action)
    {
        int stride = StripedMap<TKey, TValue>.CellStride;
        for (int s = 0; s < _stripes.Length; s++)
        {
            byte* real = (byte*)_stripes[s];
            fixed (byte* copy = _copies[s])
            {
                long cellsEnd = StripedLayout.CellsOffset + (_map.CellsPerStripe * stride); // the stride's padding holds no cell
                for (long offset = StripedLayout.CellsOffset; offset < cellsEnd; offset += stride)
                {
                    if (!new ReadOnlySpan<byte>(real + offset, stride).SequenceEqual(new ReadOnlySpan<byte>(copy + offset, stride)))
                    {
                        action(real, real + offset, copy + offset);
                    }
                }
            }
        }
    }

    /// <summary>Releases the stripes (in reverse order), then ends the scope: its list names no word held any more.</summary>
    private void Release()
    {
        ScopedStripes scoped = ScopedStripes.Of(_lane);
        ReleaseStripes(scoped);
        _lane.FinishScope();
        scoped.Close();
    }

    private void ReleaseStripes(ScopedStripes scoped)
    {
        while (_held > 0)
        {
            _held--;
            StripeHold.Release((byte*)_stripes[_held], _lockedFrom[_held]);
            scoped.Remove(_stripes[_held]);
        }
    }

    /// <summary>
    /// This scope's copy of the stripe of <paramref name="key"/>; <see cref="ArgumentException"/> if it is not one of the
    /// locked keys, <see cref="ObjectDisposedException"/> after this scope's or the map's Dispose.
    /// </summary>
    private byte* Copy(in TKey key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_map.Region.IsDisposed)
        {
            ThrowHelper.ThrowDisposed(_map.Name); // the map's memory is unmapped: nothing of it may be touched
        }
        for (int i = 0; i < _keys.Length; i++)
        {
            if (KeyBytes<TKey>.Equal(_keys[i], key))
            {
                return (byte*)Unsafe.AsPointer(ref _copies[_stripeOfKey[i]][0]);
            }
        }
        throw new ArgumentException($"key '{key}' is not one of the keys this KeyLock holds", nameof(key));
    }
}
