using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;

namespace ShmMaps.Folklore;

/// <summary>
/// The append-only store of a folklore map's keys: slots handed out in order, keys longer than a slot holds
/// bump-allocated in the key byte region.
/// </summary>
/// <remarks>
/// One 64-bit allocation word (header counter 0) holds <c>[8-byte units used: 32][slots used: 32]</c>, so a
/// key's slot and bytes are taken by one CAS, and given back by one CAS while nobody allocated after them
/// (the seed's "removed only if most recently added"). A slot is read only through an entry that names it,
/// after the acquire load of that entry; the writer's CAS on the entry is the release that publishes it.
/// </remarks>
internal sealed unsafe class KeyStore
{
    /// <summary>Key bytes start at multiples of this.</summary>
    public const int Alignment = 8;

    private readonly KeySlot* _slots;
    private readonly byte* _bytes;
    private readonly long* _allocation;
    private readonly string _mapName;
    private readonly RegionGrowth _byteGrowth;
    private long _bytesReservedSeen;

    public KeyStore(MapRegion region)
    {
        _mapName = region.Name;
        SlotCount = region.KindParameter(FolkloreLayout.SlotCountParameter);
        ByteLength = region.KindParameter(FolkloreLayout.KeyBytesParameter);
        _slots = (KeySlot*)region.RegionPointer(FolkloreLayout.SlotRegion, out long slotBytes);
        _bytes = region.RegionPointer(FolkloreLayout.KeyByteRegion, out long byteRegion);
        if (SlotCount < 1 || SlotCount > int.MaxValue || slotBytes < SlotCount * KeySlot.Size
            || ByteLength < 0 || ByteLength > byteRegion || ByteLength > FolkloreLayout.MaxKeyByteRegion)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': key store of {SlotCount} slots and {ByteLength} bytes does not fit its regions ({slotBytes} and {byteRegion} bytes)");
        }
        _allocation = region.Counter(FolkloreLayout.AllocationCounter);
        _byteGrowth = ByteGrowth(region);
        _byteGrowth.EnsureReserved(BytesUsed);
        _bytesReservedSeen = _byteGrowth.ExtentFor(BytesUsed);
    }

    /// <summary>The key bytes a map reserves at create, of <paramref name="keyBytes"/> (the rest as long keys come).</summary>
    public static long KeyBytesReservedAtCreate(long keyBytes) => RegionGrowth.InitialFor(0, keyBytes);

    /// <summary>
    /// Copies a key's slot (<paramref name="from"/>: its key slot, or a copy of it beside a cell) into
    /// <paramref name="cellSlot"/>, the slot beside a cell whose entry the caller's CAS just filled with the key (so
    /// nobody else writes that cell slot); the entry's copied bit, set after, publishes it.
    /// </summary>
    public static void CopyToCell(KeySlot* from, KeySlot* cellSlot) =>
        Buffer.MemoryCopy(from, cellSlot, KeySlot.Size, KeySlot.Size); // long keys: the copy points at the same bytes

    /// <summary>The most key slots (a map that grows reserves them as its tables grow).</summary>
    public long SlotCount { get; }

    /// <summary>The length of the key byte region.</summary>
    public long ByteLength { get; }

    /// <summary>Slots handed out so far (never more than <see cref="SlotCount"/>).</summary>
    public long SlotsUsed => Math.Min((long)(uint)SharedMemory.ReadAcquire(_allocation), SlotCount);

    /// <summary>Key bytes handed out so far, alignment included.</summary>
    public long BytesUsed => Math.Min((long)((ulong)SharedMemory.ReadAcquire(_allocation) >> 32) * Alignment, ByteLength);

    /// <summary>
    /// Takes a slot below <paramref name="limit"/> and room for <paramref name="key"/>, writes them, and marks the slot
    /// written by <paramref name="owner"/>; -1 if the slots below the limit are used (the map must grow first);
    /// <see cref="MapFullException"/> when the bytes run out.
    /// </summary>
    public long Add(ReadOnlySpan<byte> key, ulong hash, ulong owner, long limit)
    {
        long units = Units(key.Length);
        long seen = SharedMemory.ReadAcquire(_allocation);
        long slot;
        long unitsUsed;
        while (true)
        {
            slot = (uint)seen;
            unitsUsed = (long)((ulong)seen >> 32);
            if (slot >= Math.Min(limit, SlotCount))
            {
                return -1;
            }
            if ((unitsUsed + units) * Alignment > ByteLength)
            {
                ThrowHelper.ThrowMapFull($"map '{_mapName}' has used {unitsUsed * Alignment} of its {ByteLength} key bytes, no room for a key of {key.Length}; create it with a larger key store");
            }
            long next = Pack(slot + 1, unitsUsed + units);
            // The bytes' memory is reserved before they are taken: no key is ever placed in an unreserved hole.
            _byteGrowth.Cover(unitsUsed * Alignment, (unitsUsed + units) * Alignment);
            long found = SharedMemory.CompareExchange(_allocation, next, seen);
            if (found == seen)
            {
                break;
            }
            seen = found;
        }

        KeySlot* s = _slots + slot;
        // The slot may be one given back earlier: say it is being written before changing it.
        SharedMemory.WriteRelease(&s->State, (uint)KeySlotState.Writing);
        s->Owner = owner;
        if (units == 0)
        {
            key.CopyTo(new Span<byte>(s->Inline, KeySlot.InlineBytes));
        }
        else
        {
            s->Offset = unitsUsed * Alignment;
            key.CopyTo(new Span<byte>(_bytes + s->Offset, key.Length));
        }
        s->Hash = hash;
        s->Length = (uint)key.Length;
        // Release: the bytes and fields above are whole before the state says so (the entry CAS publishes them to readers).
        SharedMemory.WriteRelease(&s->State, (uint)KeySlotState.Written);
        return slot;
    }

    /// <summary>
    /// Gives back slot <paramref name="slot"/> of a key that lost the race to be added: by one CAS if nobody
    /// allocated after it, else it is marked abandoned (wasted, and counted by <c>shm info</c>).
    /// </summary>
    public void GiveBack(long slot)
    {
        KeySlot* s = _slots + slot;
        long units = Units((int)s->Length);
        long seen = SharedMemory.ReadAcquire(_allocation);
        long unitsAfter = (long)((ulong)seen >> 32);
        bool isLast = (uint)seen == slot + 1 && (units == 0 || unitsAfter == (s->Offset / Alignment) + units);
        if (!isLast || SharedMemory.CompareExchange(_allocation, Pack(slot, unitsAfter - units), seen) != seen)
        {
            SharedMemory.WriteRelease(&s->State, (uint)KeySlotState.Abandoned);
        }
    }

    /// <summary>True if <paramref name="slot"/> (named by an entry; null if it names none) holds <paramref name="key"/> of hash <paramref name="hash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(KeySlot* slot, ulong hash, ReadOnlySpan<byte> key)
    {
        KeySlot* s = Candidate(slot, hash, key.Length);
        if (s is null)
        {
            return false;
        }
        return key.Length <= KeySlot.InlineBytes
            ? MemoryMarshal.CreateReadOnlySpan(ref s->Inline[0], key.Length).SequenceEqual(key)
            : BytesOf(s).SequenceEqual(key);
    }

    /// <summary>True if <paramref name="slot"/> (named by an entry; null if it names none) holds the narrowed string <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MatchesRegisterKey(KeySlot* slot, ulong hash, in RegisterKey key)
    {
        KeySlot* s = Candidate(slot, hash, key.Length);
        if (s is null)
        {
            return false; // so the key is at most 32 bytes, inline in the slot
        }
        byte* bytes = s->Inline;
        if (key.Length > 16)
        {
            return Vector128.Load(bytes) == key.Head && Vector128.Load(bytes + key.Length - 16) == key.Tail;
        }
        return Unsafe.ReadUnaligned<ulong>(bytes) == key.Head.AsUInt64().ToScalar()
            && Unsafe.ReadUnaligned<ulong>(bytes + key.Length - 8) == key.Tail.AsUInt64().ToScalar();
    }

    /// <summary>The bytes of slot <paramref name="slot"/> (named by an entry).</summary>
    public ReadOnlySpan<byte> KeyOf(long slot) => BytesOf(Slot(slot));

    /// <summary>The bytes of the key in <paramref name="slot"/> (a key slot or a copy of one beside a cell).</summary>
    public ReadOnlySpan<byte> KeyOf(KeySlot* slot) => BytesOf(slot);

    /// <summary>
    /// Slot <paramref name="slot"/>, or null if an entry names none of the slots below <paramref name="limit"/> (its
    /// table's slot limit: only a corrupt file has one; <c>shm check</c> reports it): lookups pass such an entry by
    /// instead of throwing from the probe loop, which would make every lookup keep its registers across a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public KeySlot* SlotOrNull(long slot, long limit) => (ulong)slot < (ulong)limit ? _slots + slot : null;

    /// <summary><paramref name="slot"/> if it may hold a key of <paramref name="hash"/> and <paramref name="length"/> bytes, else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static KeySlot* Candidate(KeySlot* slot, ulong hash, int length) =>
        slot is not null && slot->Hash == hash && slot->Length == (uint)length ? slot : null;

    /// <summary>Slot <paramref name="slot"/>, bounds-checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public KeySlot* Slot(long slot)
    {
        if ((ulong)slot >= (ulong)SlotCount)
        {
            ThrowSlotOutOfRange(slot);
        }
        return _slots + slot;
    }

    private ReadOnlySpan<byte> BytesOf(KeySlot* s)
    {
        uint length = s->Length;
        if (length <= KeySlot.InlineBytes)
        {
            return new ReadOnlySpan<byte>(s->Inline, (int)length);
        }
        long offset = s->Offset;
        if ((ulong)offset > (ulong)_bytesReservedSeen || length > (ulong)(_bytesReservedSeen - offset) || length > FolkloreLayout.MaxKeyBytes)
        {
            CheckBytesReserved(s, offset, length);
        }
        return new ReadOnlySpan<byte>(_bytes + offset, (int)length);
    }

    /// <summary>
    /// Checks key bytes placed past what this handle has seen reserved against what is reserved now (the extents
    /// only grow); bytes outside are a corrupt slot (touching an unreserved hole could fault on a full file system).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckBytesReserved(KeySlot* s, long offset, uint length)
    {
        long reserved = Math.Min(_byteGrowth.ExtentFor(BytesUsed), ByteLength);
        _bytesReservedSeen = reserved; // benign race: every value written was true once
        if ((ulong)offset > (ulong)reserved || length > (ulong)(reserved - offset) || length > FolkloreLayout.MaxKeyBytes)
        {
            ThrowBytesOutOfRange(s, offset, length);
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowSlotOutOfRange(long slot) =>
        ThrowHelper.ThrowCorrupt($"map '{_mapName}': an entry names key slot {slot} of {SlotCount}");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBytesOutOfRange(KeySlot* s, long offset, uint length) =>
        ThrowHelper.ThrowCorrupt($"map '{_mapName}': key slot {s - _slots} places {length} bytes at {offset}, outside the {BytesUsed} bytes of keys stored");

    private static RegionGrowth ByteGrowth(MapRegion region) => new(region, FolkloreLayout.KeyByteRegion, 0, "storing long keys");

    /// <summary>The 8-byte units a key takes in the key byte region: none when it fits in its slot.</summary>
    private static long Units(int length) => length <= KeySlot.InlineBytes ? 0 : (length + Alignment - 1) / Alignment;

    private static long Pack(long slots, long units) => (long)(((ulong)units << 32) | (uint)slots);
}
