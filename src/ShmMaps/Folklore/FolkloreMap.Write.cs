using ShmMaps.Folklore;

namespace ShmMaps;

public sealed unsafe partial class FolkloreMap<TValue>
{
    /// <summary>What <see cref="FindOrAdd"/> returns when the operation must start again in the newest table.</summary>
    private const long Retry = long.MinValue;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding it if absent (one CAS per try).</summary>
    public void Insert(string key, TValue value)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey loaded))
        {
            ulong hash = loaded.Hash(_seed);
            FolkloreTable table = WriteTable(hash);
            if (Probe(table, loaded, hash, out ulong entry) is var cell and >= 0 && SetValue(table, cell, entry, BitsOf(value)) != EntryWrite.Frozen)
            {
                return;
            }
        }
        RunOnUtf8(key, StringKeyOperation.Insert, ref value);
    }

    /// <summary>Sets UTF-8 <paramref name="utf8Key"/> to <paramref name="value"/>, adding it if absent.</summary>
    public void Insert(ReadOnlySpan<byte> utf8Key, TValue value)
    {
        ulong bits = BitsOf(value);
        ulong hash = XxHash3.Hash(utf8Key, _seed);
        while (true)
        {
            FolkloreTable table = WriteTable(hash);
            long cell = FindOrAdd(table, utf8Key, hash, bits, out ulong entry);
            if (cell != Retry && (cell < 0 || SetValue(table, cell, entry, bits) != EntryWrite.Frozen))
            {
                return;
            }
        }
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> if absent; false (and no change) if present.</summary>
    public bool TryAdd(string key, TValue value)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey loaded))
        {
            ulong hash = loaded.Hash(_seed);
            FolkloreTable table = WriteTable(hash);
            if (Probe(table, loaded, hash, out ulong entry) is var cell and >= 0 && Revive(table, cell, entry, BitsOf(value)) is var done and not EntryWrite.Frozen)
            {
                return done == EntryWrite.Written;
            }
        }
        return RunOnUtf8(key, StringKeyOperation.TryAdd, ref value);
    }

    /// <summary>Adds UTF-8 <paramref name="utf8Key"/> with <paramref name="value"/> if absent; false if present.</summary>
    public bool TryAdd(ReadOnlySpan<byte> utf8Key, TValue value)
    {
        ulong bits = BitsOf(value);
        ulong hash = XxHash3.Hash(utf8Key, _seed);
        while (true)
        {
            FolkloreTable table = WriteTable(hash);
            long cell = FindOrAdd(table, utf8Key, hash, bits, out ulong entry);
            if (cell == Retry)
            {
                continue;
            }
            if (cell < 0)
            {
                return true;
            }
            EntryWrite done = Revive(table, cell, entry, bits);
            if (done != EntryWrite.Frozen)
            {
                return done == EntryWrite.Written;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="key"/> with <paramref name="addValue"/>, or replaces its value with
    /// <paramref name="update"/> of it; returns the value stored. Each try is one CAS, so
    /// <paramref name="update"/> may run more than once under contention and must have no side effects.
    /// </summary>
    public TValue AddOrUpdate(string key, TValue addValue, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (RegisterKey.TryLoad(key, out RegisterKey loaded))
        {
            ulong hash = loaded.Hash(_seed);
            FolkloreTable table = WriteTable(hash);
            if (Probe(table, loaded, hash, out ulong entry) is var cell and >= 0 && Update(table, cell, entry, addValue, update, out TValue stored) != EntryWrite.Frozen)
            {
                return stored;
            }
        }
        RunOnUtf8(key, StringKeyOperation.AddOrUpdate, ref addValue, update);
        return addValue;
    }

    /// <summary>The UTF-8 form of <see cref="AddOrUpdate(string, TValue, Func{TValue, TValue})"/>: no allocation.</summary>
    public TValue AddOrUpdate(ReadOnlySpan<byte> utf8Key, TValue addValue, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        ulong hash = XxHash3.Hash(utf8Key, _seed);
        while (true)
        {
            FolkloreTable table = WriteTable(hash);
            long cell = FindOrAdd(table, utf8Key, hash, BitsOf(addValue), out ulong entry);
            if (cell == Retry)
            {
                continue;
            }
            if (cell < 0)
            {
                return addValue;
            }
            if (Update(table, cell, entry, addValue, update, out TValue stored) != EntryWrite.Frozen)
            {
                return stored;
            }
        }
    }

    /// <summary>
    /// Removes <paramref name="key"/>, giving its last value. The key keeps its cell and its bytes (a flag marks
    /// it removed), so adding it again takes no new key slot.
    /// </summary>
    public bool TryRemove(string key, out TValue value)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey ascii))
        {
            ulong hash = ascii.Hash(_seed);
            EntryWrite done;
            while ((done = RemoveIn(WriteTable(hash), ascii, hash, out value)) == EntryWrite.Frozen)
            {
            }
            return done == EntryWrite.Written;
        }
        value = default;
        return RunOnUtf8(key, StringKeyOperation.TryRemove, ref value);
    }

    /// <summary>Removes UTF-8 <paramref name="utf8Key"/>, giving its last value; false if absent.</summary>
    public bool TryRemove(ReadOnlySpan<byte> utf8Key, out TValue value)
    {
        EntryWrite done;
        if (RegisterKey.TryLoad(utf8Key, out RegisterKey key))
        {
            ulong hash = key.Hash(_seed);
            while ((done = RemoveIn(WriteTable(hash), key, hash, out value)) == EntryWrite.Frozen)
            {
            }
        }
        else
        {
            ulong hash = XxHash3.Hash(utf8Key, _seed);
            while ((done = RemoveIn(WriteTable(hash), new Utf8KeyMatch(utf8Key), hash, out value)) == EntryWrite.Frozen)
            {
            }
        }
        return done == EntryWrite.Written;
    }

    /// <summary>Marks <paramref name="key"/> removed in <paramref name="table"/>; unchanged if absent or removed.</summary>
    private EntryWrite RemoveIn<TMatch>(FolkloreTable table, scoped in TMatch key, ulong hash, out TValue value)
        where TMatch : IKeyMatch, allows ref struct
    {
        long cell = Probe(table, key, hash, out ulong entry);
        if (cell < 0)
        {
            value = default;
            // A frozen empty cell ends the probe: a migration is under way, and the key may be in the newest table.
            return cell != long.MinValue && (entry & table.FrozenBit) != 0 ? FrozenIn(table) : EntryWrite.Unchanged;
        }
        return Remove(table, cell, entry, out value);
    }

    /// <summary>Sets the value of the key in <paramref name="cell"/>, present, whatever it was.</summary>
    private EntryWrite SetValue(FolkloreTable table, long cell, ulong entry, ulong bits)
    {
        while (true)
        {
            if ((entry & table.FrozenBit) != 0)
            {
                return FrozenIn(table);
            }
            ulong found = CompareExchangeEntry(table, cell, FolkloreEntry.WithValue(entry, bits, ValueBits), entry);
            if (found == entry)
            {
                return EntryWrite.Written;
            }
            entry = found;
        }
    }

    /// <summary>Sets the value of the key in <paramref name="cell"/> if it is removed; unchanged if it is present.</summary>
    private EntryWrite Revive(FolkloreTable table, long cell, ulong entry, ulong bits)
    {
        while (true)
        {
            if ((entry & table.FrozenBit) != 0)
            {
                return FrozenIn(table); // present or removed in the old table says nothing of the newest
            }
            if (!FolkloreEntry.IsRemoved(entry, ValueBits))
            {
                return EntryWrite.Unchanged;
            }
            ulong found = CompareExchangeEntry(table, cell, FolkloreEntry.WithValue(entry, bits, ValueBits), entry);
            if (found == entry)
            {
                return EntryWrite.Written;
            }
            entry = found;
        }
    }

    /// <summary>Replaces the value of the key in <paramref name="cell"/> by <paramref name="update"/> of it (<paramref name="addValue"/> if removed).</summary>
    private EntryWrite Update(FolkloreTable table, long cell, ulong entry, TValue addValue, Func<TValue, TValue> update, out TValue stored)
    {
        while (true)
        {
            if ((entry & table.FrozenBit) != 0)
            {
                stored = default;
                return FrozenIn(table);
            }
            stored = FolkloreEntry.IsRemoved(entry, ValueBits) ? addValue : update(ValueOf(entry));
            ulong found = CompareExchangeEntry(table, cell, FolkloreEntry.WithValue(entry, BitsOf(stored), ValueBits), entry);
            if (found == entry)
            {
                return EntryWrite.Written;
            }
            entry = found;
        }
    }

    /// <summary>Marks the key in <paramref name="cell"/> (a probe's result) removed; unchanged if it is removed.</summary>
    private EntryWrite Remove(FolkloreTable table, long cell, ulong entry, out TValue value)
    {
        while (true)
        {
            if ((entry & table.FrozenBit) != 0)
            {
                value = default;
                return FrozenIn(table);
            }
            if (FolkloreEntry.IsRemoved(entry, ValueBits))
            {
                value = default;
                return EntryWrite.Unchanged;
            }
            ulong found = CompareExchangeEntry(table, cell, FolkloreEntry.Removed(entry, ValueBits), entry);
            if (found == entry)
            {
                value = ValueOf(entry);
                return EntryWrite.Written;
            }
            entry = found;
        }
    }

    /// <summary>
    /// A write met a frozen entry of <paramref name="table"/>: the migration out of it is under way, and the write goes
    /// again in the newest table. <see cref="CorruptMapException"/> if the state word says <paramref name="table"/> is
    /// still the steady newest (only a damaged file freezes an entry there: going again would go on forever).
    /// </summary>
    private EntryWrite FrozenIn(FolkloreTable table)
    {
        if (_directory.ReadState() == TableDirectory.Steady(table.Generation))
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': an entry of table {table.Generation} is frozen, but no migration out of it is under way");
        }
        return EntryWrite.Frozen;
    }

    /// <summary>
    /// Copies the key slot at <paramref name="source"/> (or a copy of it), whose key this writer's CAS just put in
    /// <paramref name="cell"/> of <paramref name="table"/> as <paramref name="entry"/>, into the cell's own slot and then sets the entry's copied
    /// bit (a CAS, retried past value changes, not past a freeze), so lookups read the copy from then on; returns the
    /// entry as it is after. A writer killed before the bit leaves the key read from its slot, as in a table without cell slots.
    /// </summary>
    /// <remarks>
    /// A mover copies from beside the key's old cell (<paramref name="sourceTable"/>): if this handle stopped reading that
    /// table meanwhile, the copy may be zeros, and the key slot <paramref name="slot"/> itself is copied again.
    /// </remarks>
    private ulong CopyBesideCell(FolkloreTable table, long cell, KeySlot* source, ulong entry, FolkloreTable? sourceTable = null, long slot = -1)
    {
        ulong copied = table.CopiedBit;
        if (copied == 0)
        {
            return entry;
        }
        KeyStore.CopyToCell(source, table.CellSlots + cell);
        if (sourceTable is not null && IsAbandoned(sourceTable))
        {
            KeyStore.CopyToCell(_keys.Slot(slot), table.CellSlots + cell);
        }
        while ((entry & (copied | table.FrozenBit)) == 0)
        {
            // Full fence: the copy is whole before any reader sees the bit.
            ulong found = CompareExchangeEntry(table, cell, entry | copied, entry);
            if (found == entry)
            {
                return entry | copied;
            }
            entry = found;
        }
        return entry;
    }

    /// <summary>
    /// The cell of <paramref name="table"/> holding <paramref name="key"/> and its entry; or, if the key was absent and
    /// this call added it (present, with <paramref name="addBits"/>), the complement of its cell; or <see cref="Retry"/>
    /// when a migration froze the cell it would take, or the table had to grow first.
    /// </summary>
    /// <remarks>
    /// The key's bytes go into a key slot only when the probe meets an empty cell, and the slot is given back if
    /// another writer's CAS put the same key there first. A process killed between writing the slot and its
    /// CAS leaves a slot no entry names: invisible to lookups, reported by <c>shm check</c> as reclaimable.
    /// </remarks>
    private long FindOrAdd(FolkloreTable table, ReadOnlySpan<byte> key, ulong hash, ulong addBits, out ulong entry)
    {
        long slot = -1;
        while (true)
        {
            long cell = Probe(table, new Utf8KeyMatch(key), hash, out entry);
            bool frozen = cell != long.MinValue && cell < 0 && (entry & table.FrozenBit) != 0;
            if (cell >= 0 || cell == long.MinValue || frozen)
            {
                if (slot >= 0)
                {
                    _keys.GiveBack(slot); // another writer added the key first, or the key goes to the next table
                }
                if (cell >= 0)
                {
                    return cell;
                }
                if (cell == long.MinValue)
                {
                    GrowForAdd(table, $"all {table.Cells:N0} cells are taken");
                }
                else
                {
                    FrozenIn(table);
                }
                return Retry;
            }
            if (slot < 0)
            {
                Utf8KeyBuffer.ThrowIfInvalid(key, _maxKeyBytes, "utf8Key");
                slot = _keys.Add(key, hash, _region.Lanes.Current.OwnerTag, table.SlotLimit);
                if (slot < 0)
                {
                    GrowForAdd(table, $"it has used all {table.SlotLimit:N0} key slots");
                    return Retry;
                }
            }
            ulong mine = FolkloreEntry.Pack(slot, FolkloreEntry.Tag(hash, ValueBits, table.TagMask), addBits, ValueBits);
            if (CompareExchangeEntry(table, ~cell, mine, 0) == 0)
            {
                entry = CopyBesideCell(table, ~cell, _keys.Slot(slot), mine);
                return cell;
            }
            if (IsAbandoned(table))
            {
                _keys.GiveBack(slot); // the table reads as zeros here: the key goes to the newest one
                return Retry;
            }
            // Another writer filled the empty cell first, or a migration froze it: probe again (cells only ever go
            // from empty to a key, or to frozen).
        }
    }
}
