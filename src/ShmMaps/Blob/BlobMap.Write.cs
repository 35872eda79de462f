using ShmMaps.Blob;

namespace ShmMaps;

public sealed unsafe partial class BlobMap
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding the key if absent.</summary>
    /// <exception cref="ArgumentException">The key is longer than <see cref="MaxKeyLength"/> UTF-8 bytes, or the key and value than <see cref="MaxEntryLength"/>.</exception>
    /// <exception cref="MapFullException">The file system (or the heap's room) has no memory for the value, or the index none for the key; the map is unchanged and usable.</exception>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        Set(buffer.Bytes, value);
    }

    /// <summary>Sets the UTF-8 key <paramref name="utf8Key"/> to <paramref name="value"/>, adding the key if absent.</summary>
    public void Set(ReadOnlySpan<byte> utf8Key, ReadOnlySpan<byte> value) => Write(utf8Key, value, remove: false, AnyVersion);

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> if it is absent; false (and no change) if present.</summary>
    public bool TryAdd(string key, ReadOnlySpan<byte> value)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return Write(buffer.Bytes, value, remove: false, expectedVersion: 0);
    }

    /// <summary>
    /// Replaces the value of <paramref name="key"/> with <paramref name="value"/> only if it is still the one of
    /// <paramref name="expectedVersion"/> (from <see cref="TryGetValue(string, out byte[], out long)"/>): an atomic
    /// compare-and-set for every process. False (and no change) if another write came between, or the key is absent.
    /// </summary>
    public bool TryUpdate(string key, ReadOnlySpan<byte> value, long expectedVersion)
    {
        if (expectedVersion == 0 || expectedVersion == AnyVersion)
        {
            return false; // no value has this version
        }
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return Write(buffer.Bytes, value, remove: false, expectedVersion);
    }

    /// <summary>
    /// Adds <paramref name="key"/> with <paramref name="addValue"/>, or replaces its value with <paramref name="update"/> of
    /// it, atomically for every process: the update is made from the value it replaces (tried again if another write
    /// came between, so <paramref name="update"/> may run more than once). Returns the value written.
    /// </summary>
    public byte[] AddOrUpdate(string key, ReadOnlySpan<byte> addValue, Func<byte[], byte[]> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        while (true)
        {
            if (TryGetValue(key, out byte[]? current, out long version))
            {
                byte[] next = update(current);
                if (TryUpdate(key, next, version))
                {
                    return next;
                }
            }
            else if (TryAdd(key, addValue))
            {
                return addValue.ToArray();
            }
        }
    }

    /// <summary>Removes <paramref name="key"/>; false if absent.</summary>
    public bool TryRemove(string key)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return TryRemove(buffer.Bytes);
    }

    /// <summary>Removes the UTF-8 key <paramref name="utf8Key"/>; false if absent.</summary>
    public bool TryRemove(ReadOnlySpan<byte> utf8Key) => Write(utf8Key, default, remove: true, AnyVersion);

    /// <summary>
    /// Removes <paramref name="key"/> only if its value is still the one of <paramref name="expectedVersion"/> (as
    /// <see cref="TryUpdate"/> replaces it): false (and no change) if another write came between, or the key is absent.
    /// </summary>
    public bool TryRemove(string key, long expectedVersion)
    {
        if (expectedVersion == 0 || expectedVersion == AnyVersion)
        {
            return false; // no value has this version
        }
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return Write(buffer.Bytes, default, remove: true, expectedVersion);
    }

    /// <summary>What a write expects of the value it replaces: nothing (a plain set or remove).</summary>
    private const long AnyVersion = long.MinValue;

    /// <summary>
    /// The write protocol under the key's stripe lock: the record says Writing; a block of the value's class is taken and
    /// filled (Taken); its entry goes into the key's cell, or a tombstone for a remove (Published); the old block goes back
    /// to its class (None). Returns whether the key was there before; with an <paramref name="expectedVersion"/> (0: the
    /// key absent), whether the key's value had that version, and so was written.
    /// </summary>
    private bool Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool remove, long expectedVersion)
    {
        ThrowIfDisposed();
        CheckEntry(key, value.Length);
        ulong hash = Hash(key);
        int sizeClass = remove ? 0 : SizeClasses.Of(BlobBlock.BytesFor(key.Length, value.Length));
        Lane lane = CurrentLane();
        BlobRecord* record = (BlobRecord*)lane.UndoImage;
        long budget = _budget.Keeps ? _budget.MaxBytes : 0;
        if (budget != 0 && !remove)
        {
            ThrowIfOverBudget(budget, SizeClasses.Size(sizeClass));
        }
        bool written = WriteOnce(lane, record, hash, key, value, sizeClass, remove, expectedVersion);
        if (budget != 0 && _budget.LiveBytes > budget)
        {
            // After the write, when its old block (if any) is back: an overwrite of the same size evicts nothing.
            EvictTo(lane, record, budget);
        }
        return written;
    }

    private bool WriteOnce(Lane lane, BlobRecord* record, ulong hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int sizeClass, bool remove, long expectedVersion)
    {
        while (true)
        {
            BlobView view = View();
            if (view.Older is not null)
            {
                _migration.Help(view, view.Older.StripeIndexOf(hash));
            }
            BlobTable table = view.Newest;
            long index = table.StripeIndexOf(hash);
            byte* stripe = table.Stripe(index);
            ulong lockedFrom = RobustLock.Acquire(_region.Lanes, lane, (ulong*)stripe, _finishDeadStripeOwner);
            bool? existed = null;
            try
            {
                // Checked after the lock's CAS: a migration published before it sends the write to the next table.
                if (TableDirectory.Generation(_directory.ReadState()) == table.Generation)
                {
                    existed = WriteLocked(lane, record, table, index, hash, key, value, sizeClass, remove, expectedVersion);
                }
            }
            finally
            {
                RobustLock.Release((ulong*)stripe, lockedFrom);
            }
            if (existed is { } done)
            {
                _retirement.AfterWrite(view.State);
                return done;
            }
            if (TableDirectory.Generation(_directory.ReadState()) == table.Generation)
            {
                GrowForFullStripe(view, key);
            }
        }
    }

    /// <summary>Under the stripe's lock: the write, or null if the stripe has no cell for a new key.</summary>
    private bool? WriteLocked(Lane lane, BlobRecord* record, BlobTable table, long index, ulong hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value,
        int sizeClass, bool remove, long expectedVersion)
    {
        ulong* cells = BlobTable.Cells(table.Stripe(index));
        int cell = FindCell(cells, hash, key, out bool exists);
        if (expectedVersion != AnyVersion && expectedVersion != (exists ? VersionOf(cells[cell]) : 0))
        {
            return false;
        }
        if (cell < 0 || (remove && !exists))
        {
            return remove ? false : null;
        }
        ulong old = SharedMemory.ReadAcquire(cells + cell);
        record->Generation = table.Generation;
        record->Stripe = index;
        record->Cell = cell;
        record->Old = old;
        record->New = remove ? BlobEntry.Tombstone : BlobEntry.Empty;
        record->Class = sizeClass;
        BlobRecord.Enter(record, BlobStep.Writing);
        ulong entry = BlobEntry.Tombstone;
        if (!remove)
        {
            long block;
            try
            {
                block = _heap.Take(lane, record, sizeClass);
            }
            catch
            {
                BlobRecord.Enter(record, BlobStep.None);
                throw;
            }
            BlobBlock.Fill(_heap.BlockAt(block, sizeClass), hash, key, value);
            entry = BlobEntry.Of(hash, sizeClass, block);
            record->New = entry;
        }
        Publish(lane, record, table, index, cell, old, entry);
        return expectedVersion == AnyVersion ? exists : true;
    }

    /// <summary>
    /// Under the stripe's lock, the record naming the write (at Writing, or Taken with <paramref name="entry"/>'s block
    /// filled): puts the entry (or a tombstone) in the cell, logs the change, counts the stripe's keys and the map's live
    /// bytes, and gives the old block back; the record then says None.
    /// </summary>
    private void Publish(Lane lane, BlobRecord* record, BlobTable table, long index, int cell, ulong old, ulong entry)
    {
        byte* stripe = table.Stripe(index);
        if (!BlobEntry.IsBlock(old))
        {
            BlobBudget.TakeReference(stripe, cell); // a new key starts unread (a bit left by the cell's last key is not its)
        }
        (BlobChangeLog, ulong)? logged = LogBegin(record, old, entry);
        // Release: the block is whole (and the record names the entry) before any reader or recoverer sees it.
        SharedMemory.WriteRelease(BlobTable.Cells(stripe) + cell, entry);
        BlobRecord.Enter(record, BlobStep.Published);
        LogComplete(logged);
        *table.Live(index) += (BlobEntry.IsBlock(entry) ? 1 : 0) - (BlobEntry.IsBlock(old) ? 1 : 0);
        _budget.Account(lane, record);
        if (BlobEntry.IsBlock(old))
        {
            _heap.Return(lane, record, BlobEntry.Offset(old), BlobEntry.Class(old), BlobStep.None);
        }
        else
        {
            BlobRecord.Enter(record, BlobStep.None);
        }
    }

    /// <summary>
    /// The cell of <paramref name="key"/> in a locked stripe (<paramref name="exists"/>), else the first free cell of its
    /// probe (a tombstone or an empty cell); -1 if the stripe has none.
    /// </summary>
    private int FindCell(ulong* cells, ulong hash, ReadOnlySpan<byte> key, out bool exists)
    {
        int home = BlobTable.HomeOf(hash);
        int free = -1;
        for (int i = 0; i < BlobLayout.CellsPerStripe; i++)
        {
            int cell = (home + i) & (BlobLayout.CellsPerStripe - 1);
            ulong entry = cells[cell];
            if (entry == BlobEntry.Empty)
            {
                exists = false;
                return free >= 0 ? free : cell;
            }
            if (!BlobEntry.IsBlock(entry))
            {
                free = free >= 0 ? free : cell;
            }
            else if (BlobEntry.TagMatches(entry, hash) && HoldsKey(entry, key))
            {
                exists = true;
                return cell;
            }
        }
        exists = false;
        return free;
    }

    /// <summary>Under the stripe's lock (its blocks do not change): whether the block of <paramref name="entry"/> holds <paramref name="key"/>.</summary>
    private bool HoldsKey(ulong entry, ReadOnlySpan<byte> key)
    {
        byte* block = BlockOf(entry, out int size);
        int keyLength = BlobBlock.KeyLength(block);
        if ((uint)keyLength > (uint)(size - BlobBlock.HeaderSize))
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': a block of {size} bytes says it holds a key of {keyLength} bytes");
        }
        return keyLength == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, keyLength));
    }

    /// <summary>The version of the value <paramref name="entry"/> names, read under the stripe's lock (its block does not change).</summary>
    private long VersionOf(ulong entry) => VersionOf(entry, SharedMemory.ReadAcquire(BlobBlock.Version(BlockOf(entry, out _))));

    /// <summary>
    /// The version of a value: its block's place and the block's version, which every reuse moves on, so that another
    /// write of the key gives another version (until one block is reused four million times between a read and its update).
    /// </summary>
    private static long VersionOf(ulong entry, uint blockVersion) =>
        (1L << 62) | (((long)BlobEntry.Offset(entry) / BlobEntry.UnitBytes) << 22) | ((blockVersion >> 1) & 0x3FFFFF);

    private void CheckEntry(ReadOnlySpan<byte> key, int valueLength)
    {
        Utf8KeyBuffer.ThrowIfInvalid(key, MaxKeyLength, "key");
        if ((long)key.Length + valueLength > MaxEntryLength)
        {
            throw new ArgumentException($"map '{Name}': a key of {key.Length} bytes and a value of {valueLength} bytes exceed the {MaxEntryLength} bytes an entry may take", "value");
        }
    }
}
