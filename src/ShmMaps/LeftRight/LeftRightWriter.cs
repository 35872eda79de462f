using ShmMaps.Core.Epochs;
using ShmMaps.LeftRight;

namespace ShmMaps;

/// <summary>
/// The one writer of a left-right map (across all processes: its kernel lock dies with it). Changes go
/// through a <see cref="WriteGuard{TKey,TValue}"/>; disposing the guard publishes them all at once.
/// </summary>
/// <typeparam name="TKey">The key type; unmanaged, without padding.</typeparam>
/// <typeparam name="TValue">The value type; unmanaged.</typeparam>
public sealed unsafe class LeftRightWriter<TKey, TValue> : IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly LeftRightTable _table;
    private readonly ulong _seed;
    private readonly ulong _prepared8;
    private readonly List<LeftRightChange<TKey, TValue>> _log = [];
    private WriteGuard<TKey, TValue>? _open;
    private StandbyState _standby;
    private LeftRightCopy<TKey, TValue> _writeCopy;
    private long _standbyCount;
    private bool _disposed;

    internal LeftRightWriter(MapRegion region, bool created)
    {
        _region = region;
        try
        {
            _table = LeftRightTable.Open(region);
            if (!region.Platform.TryLockByte(region.File, LeftRightLayout.WriterLockOffset))
            {
                LeftRightControl* control = _table.Control;
                throw new WriterBusyException(
                    $"map '{region.Name}' has a live writer: pid {control->WriterPid}, writing since " +
                    $"{UnixTime.Describe(control->WriterSinceUnixMs)}; a LeftRightMap has one writer at a time");
            }
        }
        catch
        {
            _table?.Readers.Dispose();
            region.Dispose();
            throw;
        }
        LeftRightControl* owner = _table.Control;
        var process = region.Platform.CurrentProcess;
        owner->WriterPid = process.Pid;
        owner->WriterStartTicks = process.StartTicks;
        // Release: the writer's identity is complete before inspectors read the time it began.
        SharedMemory.WriteRelease(&owner->WriterSinceUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _seed = region.HashSeed;
        _prepared8 = XxHash3.Prepare8(_seed);
        // A new map's copies are both empty; an existing one's writer copy may hold a dead writer's half batch.
        _standby = created ? StandbyState.Ready : StandbyState.NeedsCopy;
        _writeCopy = Copy(1 - _table.PublishedCopy);
        // Tables neither copy is on: a writer killed while growing a copy may have left one allocated.
        int published = _table.PublishedCopy;
        _table.ReleaseAllBut(published, _table.GenerationOf(published));
        _table.ReleaseAllBut(1 - published, _table.GenerationOf(1 - published));
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of entries the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>How many times changes have been published (readers' snapshots carry this number).</summary>
    public ulong PublishSequence => SharedMemory.ReadAcquire(&_table.Control->Published);

    /// <summary>The number of entries readers see (the last published batch's count).</summary>
    public long PublishedCount
    {
        get
        {
            ThrowIfDisposed();
            return SharedMemory.ReadAcquire(&_table.Control->Counts[_table.PublishedCopy]);
        }
    }

    /// <summary>The reader slots now (safe from any thread; reads shared memory and asks the kernel who is alive).</summary>
    public ReaderSlotCensus ReaderSlots()
    {
        ThrowIfDisposed();
        int live = 0, deadPinned = 0;
        for (int i = 0; i < _table.Readers.Count; i++)
        {
            if (_table.Readers.IsAlive(i))
            {
                live++;
            }
            else if (ReaderPin.State(SharedMemory.ReadAcquire(&_table.Readers.Slot(i)->Pin)) != ReaderPin.Idle)
            {
                deadPinned++;
            }
        }
        return new ReaderSlotCensus(_table.Readers.Count, live, deadPinned);
    }

    /// <summary>
    /// Opens the write guard: its changes are visible to it at once and to readers when it is disposed. Waits
    /// first for read guards still on the copy it writes (<see cref="TimeoutException"/> past
    /// <see cref="ShmOptions.LockTimeout"/>, naming the reader); dead readers' slots are freed instead.
    /// </summary>
    public WriteGuard<TKey, TValue> Guard()
    {
        ThrowIfDisposed();
        if (_open is not null)
        {
            throw new InvalidOperationException($"map '{Name}': a write guard is open; dispose it (which publishes) before taking another");
        }
        PrepareStandby();
        _open = new WriteGuard<TKey, TValue>(this);
        return _open;
    }

    /// <summary>Closes the writer: a write guard still open is discarded, unpublished. Readers keep the published data.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _open = null;
        _region.Platform.UnlockByte(_region.File, LeftRightLayout.WriterLockOffset);
        _table.Readers.Dispose();
        _region.Dispose();
    }

    internal long StandbyCount => _standbyCount;

    internal bool TryGetValue(in TKey key, out TValue value) => _writeCopy.TryGetValue(key, Hash(key), out value);

    internal void Insert(in TKey key, TValue value)
    {
        Put(key, value);
        _log.Add(new(key, value, Removes: false));
    }

    internal bool Remove(in TKey key)
    {
        if (!Erase(key))
        {
            return false;
        }
        _log.Add(new(key, default, Removes: true));
        return true;
    }

    /// <summary>Publishes the guard's changes: one increment of the sequence sends new guards to the written copy.</summary>
    internal void Publish(WriteGuard<TKey, TValue> guard)
    {
        if (!ReferenceEquals(_open, guard) || _disposed)
        {
            return; // the writer was closed under the guard: its changes are discarded
        }
        _open = null;
        if (_log.Count == 0)
        {
            return; // nothing changed: readers keep their copy
        }
        LeftRightControl* control = _table.Control;
        int standby = 1 - _table.PublishedCopy;
        control->Counts[standby] = _standbyCount;
        control->LastPublishUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Full fence: every byte written to the standby copy (and its count) is visible before any reader can
        // read the new sequence; and the sequence is visible before the next guard scans the reader slots.
        Interlocked.Increment(ref control->Published);
        // After that full fence: a reader that registered as a sleeper before it is seen here and woken; one that
        // registers after it sees the new sequence before it parks (LeftRightReader.WaitForPublish).
        if (Volatile.Read(ref control->Sleepers) > 0)
        {
            _region.Platform.WakeAll((int*)&control->Published); // the sequence's low half, where sleepers park
        }
        _standby = StandbyState.NeedsReplay;
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private LeftRightCopy<TKey, TValue> Copy(int index)
    {
        int generation = _table.GenerationOf(index);
        return new(_table.CellsOf(index, generation), _table.CellCountOf(generation));
    }

    private ulong Hash(in TKey key) => KeyBytes<TKey>.Hash(key, _seed, _prepared8);

    /// <summary>Makes the standby copy equal to the published one, once no reader can be on it.</summary>
    private void PrepareStandby()
    {
        if (_standby == StandbyState.Ready)
        {
            return;
        }
        int published = _table.PublishedCopy;
        int standby = 1 - published;
        // Only this writer flips the sequence: the copy it writes stays 1 - published until it publishes.
        _table.Readers.WaitForReadersOf(standby, _region.Options.LockTimeout);
        int generation = _table.GenerationOf(published);
        if (_table.GenerationOf(standby) != generation)
        {
            // The published copy grew (or a killed writer grew this one): this copy moves to the same table, rebuilt whole.
            MoveStandby(standby, generation);
            _standby = StandbyState.NeedsCopy;
        }
        _writeCopy = Copy(standby);
        // A batch of more changes than a quarter of the cells is cheaper to bring over by copying the table.
        if (_standby == StandbyState.NeedsCopy || _log.Count * 4L > _writeCopy.CellCount)
        {
            _writeCopy.CopyFrom(Copy(published));
            _standbyCount = CountOf(published);
        }
        else
        {
            _standbyCount = CountOf(standby); // the count it was published with
            foreach (LeftRightChange<TKey, TValue> change in _log)
            {
                if (change.Removes)
                {
                    Erase(change.Key);
                }
                else
                {
                    Put(change.Key, change.Value);
                }
            }
        }
        _log.Clear();
        _standby = StandbyState.Ready;
    }

    /// <summary>
    /// Puts the standby copy on table <paramref name="generation"/>, which the published copy is copied over whole next
    /// (a writer opened after a kill here copies it whole too), and gives its other tables back: no reader is on the
    /// standby copy, and none reads it before the next publish.
    /// </summary>
    private void MoveStandby(int standby, int generation)
    {
        _table.Reserve(standby, generation);
        _table.SetGeneration(standby, generation);
        _table.ReleaseAllBut(standby, generation);
    }

    /// <summary>
    /// Rehashes the copy being written into its next table, twice as large, when one more key would take it past its
    /// load; false if the file has no room for another table, or the file system no memory for the two (then the copy
    /// fills up to one empty cell).
    /// </summary>
    private bool TryGrowStandby()
    {
        int standby = 1 - _table.PublishedCopy;
        int next = _table.GenerationOf(standby) + 1;
        if (next >= _table.Tables)
        {
            return false;
        }
        LeftRightCopy<TKey, TValue> old = _writeCopy;
        try
        {
            // Both copies' next tables: the other copy moves to its own at the next guard, which must not find the memory gone.
            _table.Reserve(standby, next);
            _table.Reserve(1 - standby, next);
        }
        catch (MapFullException) when (_standbyCount < old.CellCount - 1)
        {
            _table.ReleaseAllBut(standby, next - 1);
            return false; // the file system is full, the copy is not: fill it
        }
        LeftRightCopy<TKey, TValue> grown = FreshTable(standby, next);
        Rehash(old, grown);
        _table.SetGeneration(standby, next);
        _table.ReleaseAllBut(standby, next);
        _writeCopy = grown;
        return true;
    }

    /// <summary>
    /// Adds every key of <paramref name="old"/> to the empty <paramref name="grown"/>. A cell's tag is its key's hash (with
    /// the low bit, which no home uses, set), so no key is hashed again.
    /// </summary>
    private static void Rehash(LeftRightCopy<TKey, TValue> old, LeftRightCopy<TKey, TValue> grown)
    {
        for (long cell = 0; cell < old.CellCount; cell++)
        {
            ulong hash = old.TagAt(cell);
            if (hash != 0)
            {
                TKey key = old.KeyAt(cell);
                grown.Fill(~grown.Find(key, hash), key, hash, old.ValueAt(cell));
            }
        }
    }

    /// <summary>Copy <paramref name="copy"/>'s table <paramref name="generation"/>, allocated and empty (a killed writer may have left bytes there).</summary>
    private LeftRightCopy<TKey, TValue> FreshTable(int copy, int generation)
    {
        _table.Reserve(copy, generation);
        byte* cells = _table.CellsOf(copy, generation);
        long bytes = _table.CellCountOf(generation) * _table.Stride;
        for (long done = 0; done < bytes; done += int.MaxValue)
        {
            new Span<byte>(cells + done, (int)Math.Min(int.MaxValue, bytes - done)).Clear();
        }
        return new(cells, _table.CellCountOf(generation));
    }

    /// <summary>The entry count published with copy <paramref name="copy"/>; <see cref="CorruptMapException"/> if no copy can hold it.</summary>
    private long CountOf(int copy)
    {
        long count = _table.Control->Counts[copy];
        long cells = _table.CellCountOf(_table.GenerationOf(copy));
        if (count < 0 || count >= cells)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': copy {copy} says it holds {count} entries in {cells} cells");
        }
        return count;
    }

    private void Put(in TKey key, TValue value)
    {
        LeftRightCopy<TKey, TValue> standby = _writeCopy;
        ulong hash = Hash(key);
        long cell = standby.Find(key, hash);
        if (cell >= 0)
        {
            standby.SetValue(cell, value);
            return;
        }
        if (_standbyCount + 1 > standby.CellCount * _table.GrowLoad && TryGrowStandby())
        {
            standby = _writeCopy;
            cell = standby.Find(key, hash);
        }
        if (_standbyCount >= standby.CellCount - 1)
        {
            ThrowHelper.ThrowMapFull(Name, Capacity);
        }
        if (cell == LeftRightCopy<TKey, TValue>.NoEmptyCell)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': the copy being written has no empty cell, but its count is {_standbyCount}");
        }
        standby.Fill(~cell, key, hash, value);
        _standbyCount++;
    }

    private bool Erase(in TKey key)
    {
        LeftRightCopy<TKey, TValue> standby = _writeCopy;
        long cell = standby.Find(key, Hash(key));
        if (cell < 0)
        {
            return false;
        }
        standby.RemoveAt(cell);
        _standbyCount--;
        return true;
    }
}
