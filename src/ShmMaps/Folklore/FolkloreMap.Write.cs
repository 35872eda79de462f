using System.Runtime.CompilerServices;
using ShmMaps.Core.Hashing;
using ShmMaps.Folklore;
using ShmMaps.Keys;

namespace ShmMaps;

public sealed unsafe partial class FolkloreMap<TValue>
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding it if absent (one CAS per try).</summary>
    public void Insert(string key, TValue value)
    {
        if (ProbeInRegisters(key, out ulong entry) is var cell and >= 0)
        {
            SetValue(cell, entry, BitsOf(value));
            return;
        }
        RunOnUtf8(key, StringKeyOperation.Insert, ref value);
    }

    /// <summary>Sets UTF-8 <paramref name="utf8Key"/> to <paramref name="value"/>, adding it if absent.</summary>
    public void Insert(ReadOnlySpan<byte> utf8Key, TValue value)
    {
        ulong bits = BitsOf(value);
        if (ProbeInRegisters(utf8Key, out ulong present) is var found and >= 0)
        {
            SetValue(found, present, bits);   // present: its bytes were checked when it was added
            return;
        }
        Utf8KeyBuffer.ThrowIfInvalid(utf8Key, _maxKeyBytes, nameof(utf8Key));
        long cell = FindOrAdd(utf8Key, bits, out ulong entry);
        if (cell >= 0)
        {
            SetValue(cell, entry, bits);
        }
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> if absent; false (and no change) if present.</summary>
    public bool TryAdd(string key, TValue value)
    {
        if (ProbeInRegisters(key, out ulong entry) is var cell and >= 0)
        {
            return Revive(cell, entry, BitsOf(value));
        }
        return RunOnUtf8(key, StringKeyOperation.TryAdd, ref value);
    }

    /// <summary>Adds UTF-8 <paramref name="utf8Key"/> with <paramref name="value"/> if absent; false if present.</summary>
    public bool TryAdd(ReadOnlySpan<byte> utf8Key, TValue value)
    {
        ulong bits = BitsOf(value);
        if (ProbeInRegisters(utf8Key, out ulong present) is var found and >= 0)
        {
            return Revive(found, present, bits);
        }
        Utf8KeyBuffer.ThrowIfInvalid(utf8Key, _maxKeyBytes, nameof(utf8Key));
        long cell = FindOrAdd(utf8Key, bits, out ulong entry);
        return cell < 0 || Revive(cell, entry, bits);
    }

    /// <summary>
    /// Adds <paramref name="key"/> with <paramref name="addValue"/>, or replaces its value with
    /// <paramref name="update"/> of it; returns the value stored. Each try is one CAS, so
    /// <paramref name="update"/> may run more than once under contention and must have no side effects.
    /// </summary>
    public TValue AddOrUpdate(string key, TValue addValue, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (ProbeInRegisters(key, out ulong entry) is var cell and >= 0)
        {
            return Update(cell, entry, addValue, update);
        }
        RunOnUtf8(key, StringKeyOperation.AddOrUpdate, ref addValue, update);
        return addValue;
    }

    /// <summary>The UTF-8 form of <see cref="AddOrUpdate(string, TValue, Func{TValue, TValue})"/>: no allocation.</summary>
    public TValue AddOrUpdate(ReadOnlySpan<byte> utf8Key, TValue addValue, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (ProbeInRegisters(utf8Key, out ulong present) is var found and >= 0)
        {
            return Update(found, present, addValue, update);
        }
        Utf8KeyBuffer.ThrowIfInvalid(utf8Key, _maxKeyBytes, nameof(utf8Key));
        long cell = FindOrAdd(utf8Key, BitsOf(addValue), out ulong entry);
        return cell < 0 ? addValue : Update(cell, entry, addValue, update);
    }

    /// <summary>
    /// Removes <paramref name="key"/>, giving its last value. The key keeps its cell and its bytes (a flag marks
    /// it removed), so adding it again takes no new key slot.
    /// </summary>
    public bool TryRemove(string key, out TValue value)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey ascii))
        {
            return Remove(Probe(ascii, ascii.Hash(_seed), out ulong entry), entry, out value);
        }
        value = default;
        return RunOnUtf8(key, StringKeyOperation.TryRemove, ref value);
    }

    /// <summary>Removes UTF-8 <paramref name="utf8Key"/>, giving its last value; false if absent.</summary>
    public bool TryRemove(ReadOnlySpan<byte> utf8Key, out TValue value) =>
        RegisterKey.TryLoad(utf8Key, out RegisterKey key)
            ? Remove(Probe(key, key.Hash(_seed), out ulong entry), entry, out value)
            : Remove(Probe(new Utf8KeyMatch(utf8Key), XxHash3.Hash(utf8Key, _seed), out entry), entry, out value);

    /// <summary>
    /// The cell of <paramref name="key"/> if it is present and takes the register path (8–32 ASCII chars); negative
    /// otherwise, when the caller's general path decides (absent, or a key of another shape).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long ProbeInRegisters(string key, out ulong entry)
    {
        if (RegisterKey.TryLoad(key, out RegisterKey loaded))
        {
            return Probe(loaded, loaded.Hash(_seed), out entry);
        }
        entry = 0;
        return -1;
    }

    /// <summary>The form of <see cref="ProbeInRegisters(string, out ulong)"/> for UTF-8 keys of 8–32 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long ProbeInRegisters(ReadOnlySpan<byte> utf8Key, out ulong entry)
    {
        if (RegisterKey.TryLoad(utf8Key, out RegisterKey loaded))
        {
            return Probe(loaded, loaded.Hash(_seed), out entry);
        }
        entry = 0;
        return -1;
    }

    /// <summary>Sets the value of the key in <paramref name="cell"/>, present, whatever it was.</summary>
    private void SetValue(long cell, ulong entry, ulong bits)
    {
        while (true)
        {
            ulong found = CompareExchangeEntry(cell, FolkloreEntry.WithValue(entry, bits, ValueBits), entry);
            if (found == entry)
            {
                return;
            }
            entry = found;
        }
    }

    /// <summary>Sets the value of the key in <paramref name="cell"/> if it is removed; false if it is present.</summary>
    private bool Revive(long cell, ulong entry, ulong bits)
    {
        while (FolkloreEntry.IsRemoved(entry, ValueBits))
        {
            ulong found = CompareExchangeEntry(cell, FolkloreEntry.WithValue(entry, bits, ValueBits), entry);
            if (found == entry)
            {
                return true;
            }
            entry = found;
        }
        return false;
    }

    /// <summary>Replaces the value of the key in <paramref name="cell"/> by <paramref name="update"/> of it (<paramref name="addValue"/> if removed).</summary>
    private TValue Update(long cell, ulong entry, TValue addValue, Func<TValue, TValue> update)
    {
        while (true)
        {
            TValue next = FolkloreEntry.IsRemoved(entry, ValueBits) ? addValue : update(ValueOf(entry));
            ulong found = CompareExchangeEntry(cell, FolkloreEntry.WithValue(entry, BitsOf(next), ValueBits), entry);
            if (found == entry)
            {
                return next;
            }
            entry = found;
        }
    }

    /// <summary>Marks the key in <paramref name="cell"/> (a probe's result) removed; false if the probe did not find it or it is removed.</summary>
    private bool Remove(long cell, ulong entry, out TValue value)
    {
        while (cell >= 0 && !FolkloreEntry.IsRemoved(entry, ValueBits))
        {
            ulong found = CompareExchangeEntry(cell, FolkloreEntry.Removed(entry, ValueBits), entry);
            if (found == entry)
            {
                value = ValueOf(entry);
                return true;
            }
            entry = found;
        }
        value = default;
        return false;
    }

    /// <summary>
    /// Copies key slot <paramref name="slot"/>, which this writer's CAS just put in <paramref name="cell"/> as
    /// <paramref name="entry"/>, into the cell's own slot and then sets the entry's copied bit (a CAS, retried past
    /// value changes), so lookups read the copy from then on; returns the entry as it is after. A writer killed
    /// before the bit leaves the key read from its slot, as in a map without cell slots.
    /// </summary>
    private ulong CopyBesideCell(long cell, long slot, ulong entry)
    {
        if (_copiedBit == 0)
        {
            return entry;
        }
        _keys.CopyToCell(slot, cell);
        while ((entry & _copiedBit) == 0)
        {
            // Full fence: the copy is whole before any reader sees the bit.
            ulong found = CompareExchangeEntry(cell, entry | _copiedBit, entry);
            if (found == entry)
            {
                return entry | _copiedBit;
            }
            entry = found;
        }
        return entry;
    }

    /// <summary>
    /// The cell holding <paramref name="key"/> and its entry; or, if the key was absent and this call added it
    /// (present, with <paramref name="addBits"/>), the complement of its cell.
    /// </summary>
    /// <remarks>
    /// The key's bytes go into a key slot only when the probe meets an empty cell, and the slot is given back if
    /// another writer's CAS put the same key there first. A process killed between writing the slot and its
    /// CAS leaves a slot no entry names: invisible to lookups, reported by <c>shm check</c> as reclaimable.
    /// </remarks>
    private long FindOrAdd(ReadOnlySpan<byte> key, ulong addBits, out ulong entry)
    {
        ulong hash = XxHash3.Hash(key, _seed);
        long slot = -1;
        while (true)
        {
            long cell = Probe(new Utf8KeyMatch(key), hash, out entry);
            if (cell >= 0 || cell == long.MinValue)
            {
                if (slot >= 0)
                {
                    _keys.GiveBack(slot); // another writer added the key first
                }
                if (cell == long.MinValue)
                {
                    ThrowHelper.ThrowMapFull(Name, Capacity);
                }
                return cell;
            }
            slot = slot >= 0 ? slot : _keys.Add(key, hash, _region.Lanes.Current.OwnerTag);
            ulong mine = FolkloreEntry.Pack(slot, FolkloreEntry.Tag(hash, ValueBits, _tagMask), addBits, ValueBits);
            if (CompareExchangeEntry(~cell, mine, 0) == 0)
            {
                entry = CopyBesideCell(~cell, slot, mine);
                return cell;
            }
            // Another writer filled the empty cell first: probe again (cells only ever go from empty to a key).
        }
    }
}
