using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ShmMaps.Folklore;

/// <summary>
/// The append-only store of a folklore map's keys: slots handed out in order, a key longer than a slot holds taking
/// the slots that follow its own.
/// </summary>
/// <remarks>
/// <para>
/// The slots live in pieces, one per table: table 0's block holds slots [0, limit 0), table g's the slots
/// [limit g-1, limit g) it adds (see <see cref="FolkloreLayout"/>). A slot's address is its piece's base plus its
/// index: the piece of slot s is 0 below the first table's limit F, else the g with F 2^(g-1) &lt;= s &lt; F 2^g.
/// A key of up to <see cref="KeySlot.InlineBytes"/> bytes lives in its slot; a longer one keeps its own index at
/// byte 24 of its slot and its bytes from byte 32 on, through as many of the following slots as it needs (a run never
/// spans two pieces), so a copy of the slot beside a cell finds the bytes through the index.
/// </para>
/// <para>
/// One 64-bit allocation word (header counter 0) holds the slots handed out, so a key's run is taken by one CAS,
/// and given back by one CAS while nobody allocated after it (the seed's "removed only if most recently added"). A
/// slot is read only through an entry that names it, after the acquire load of that entry; the writer's CAS on the
/// entry is the release that publishes it.
/// </para>
/// </remarks>
internal sealed unsafe class KeyStore
{
    /// <summary>Where a long key's bytes start in its slot (after its own index).</summary>
    public const int LongKeyOffset = 32;

    /// <summary>The most pieces (tables) a store has.</summary>
    private const int MaxPieces = 64;

    private readonly long* _allocation;
    private readonly string _mapName;
    private readonly bool _grows;
    private readonly int _firstSlotsLog2;
    private readonly Func<int, nint> _pieceOf;

    /// <summary>Per piece g: its base less the index of its first slot, so that slot s of piece g is at <c>_bases[g] + s</c> (null: not mapped yet).</summary>
    private readonly nint[] _bases = new nint[MaxPieces];

    /// <summary>The store of a map's region; <paramref name="pieceOf"/> maps the key slots of a block (the file must hold them).</summary>
    public KeyStore(MapRegion region, long slotCount, long firstSlots, bool grows, Func<int, nint> pieceOf)
    {
        _mapName = region.Name;
        SlotCount = slotCount;
        FirstSlots = firstSlots;
        _grows = grows;
        _firstSlotsLog2 = BitOperations.Log2((ulong)firstSlots);
        _pieceOf = pieceOf;
        _allocation = region.Counter(FolkloreLayout.AllocationCounter);
        MapThrough(0);
    }

    /// <summary>
    /// Copies a key's slot (<paramref name="from"/>: its key slot, or a copy of it beside a cell) into
    /// <paramref name="cellSlot"/>, the slot beside a cell whose entry the caller's CAS just filled with the key (so
    /// nobody else writes that cell slot); the entry's copied bit, set after, publishes it.
    /// </summary>
    public static void CopyToCell(KeySlot* from, KeySlot* cellSlot) =>
        Buffer.MemoryCopy(from, cellSlot, KeySlot.Size, KeySlot.Size); // long keys: the copy names the slot that holds the bytes

    /// <summary>The most key slots (a map that grows reserves them as its tables grow).</summary>
    public long SlotCount { get; }

    /// <summary>The key slots of table 0 (its piece).</summary>
    public long FirstSlots { get; }

    /// <summary>Slots handed out so far (never more than <see cref="SlotCount"/>).</summary>
    public long SlotsUsed => Math.Clamp(SharedMemory.ReadAcquire(_allocation), 0, SlotCount);

    /// <summary>The slots a key of <paramref name="length"/> bytes takes: one, or its own and the following ones its bytes need.</summary>
    public static int SlotsFor(int length) => length <= KeySlot.InlineBytes ? 1 : (length + LongKeyOffset + KeySlot.Size - 1) / KeySlot.Size;

    /// <summary>The piece (table) slot <paramref name="slot"/> (not negative) lies in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PieceOf(long slot)
    {
        if (slot < FirstSlots || !_grows)
        {
            return 0;
        }
        int doublings = BitOperations.Log2((ulong)slot) - _firstSlotsLog2;
        return slot >= FirstSlots << doublings ? doublings + 1 : doublings;
    }

    /// <summary>The first slot past piece <paramref name="piece"/>: the slot limit of its table.</summary>
    public long PieceEnd(int piece) => _grows ? Math.Min(SlotCount, FirstSlots << piece) : SlotCount;

    /// <summary>Maps the pieces of tables 0 to <paramref name="generation"/> (what a view of that table may name).</summary>
    public void MapThrough(int generation)
    {
        for (int g = 0; g <= generation && g < MaxPieces; g++)
        {
            if (_bases[g] == 0)
            {
                long first = g == 0 ? 0 : PieceEnd(g - 1);
                // One pointer-sized store: a racing mapper stores a pointer to the same slots (maybe of another mapping).
                Volatile.Write(ref _bases[g], (nint)((KeySlot*)_pieceOf(g) - first));
            }
        }
    }

    /// <summary>
    /// Takes a run of slots for <paramref name="key"/> below <paramref name="limit"/>, writes the key, and marks the
    /// slot written by <paramref name="owner"/>; -1 if the slots below the limit cannot hold it (the map must grow first).
    /// </summary>
    public long Add(ReadOnlySpan<byte> key, ulong hash, ulong owner, long limit)
    {
        int run = SlotsFor(key.Length);
        long seen = SharedMemory.ReadAcquire(_allocation);
        long slot;
        while (true)
        {
            if (seen < 0 || seen > SlotCount)
            {
                ThrowHelper.ThrowCorrupt($"map '{_mapName}': its key store says {seen} of its {SlotCount} key slots are handed out");
            }
            slot = seen;
            while (slot < SlotCount && slot + run > PieceEnd(PieceOf(slot)))
            {
                slot = PieceEnd(PieceOf(slot)); // a run never spans two pieces: the slots before the next one are wasted
            }
            if (slot + run > Math.Min(limit, SlotCount))
            {
                return -1;
            }
            long found = SharedMemory.CompareExchange(_allocation, slot + run, seen);
            if (found == seen)
            {
                break;
            }
            seen = found;
        }

        KeySlot* s = SlotAt(slot);
        // The slot may be one given back earlier: say it is being written before changing it.
        SharedMemory.WriteRelease(&s->State, (uint)KeySlotState.Writing);
        s->Owner = owner;
        if (run == 1)
        {
            key.CopyTo(new Span<byte>(s->Inline, KeySlot.InlineBytes));
        }
        else
        {
            s->Offset = slot;
            key.CopyTo(new Span<byte>((byte*)s + LongKeyOffset, key.Length));
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
        KeySlot* s = SlotAt(slot);
        long seen = SharedMemory.ReadAcquire(_allocation);
        if (seen != slot + SlotsFor((int)Math.Min(s->Length, FolkloreLayout.MaxKeyBytes)) || SharedMemory.CompareExchange(_allocation, slot, seen) != seen)
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
    public KeySlot* SlotOrNull(long slot, long limit) => (ulong)slot < (ulong)limit ? SlotAt(slot) : null;

    /// <summary>Slot <paramref name="slot"/>, bounds-checked, its piece mapped if it was not.</summary>
    public KeySlot* Slot(long slot)
    {
        if ((ulong)slot >= (ulong)SlotCount)
        {
            ThrowSlotOutOfRange(slot);
        }
        int piece = PieceOf(slot);
        if (_bases[piece] == 0)
        {
            MapThrough(piece); // past the file's end: corrupt
        }
        return SlotAt(slot);
    }

    /// <summary>Slot <paramref name="slot"/> of a mapped piece: below the slot limit of a table this process mapped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private KeySlot* SlotAt(long slot) => (KeySlot*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bases), PieceOf(slot)) + slot;

    /// <summary><paramref name="slot"/> if it may hold a key of <paramref name="hash"/> and <paramref name="length"/> bytes, else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static KeySlot* Candidate(KeySlot* slot, ulong hash, int length) =>
        slot is not null && slot->Hash == hash && slot->Length == (uint)length ? slot : null;

    private ReadOnlySpan<byte> BytesOf(KeySlot* s)
    {
        uint length = s->Length;
        if (length <= KeySlot.InlineBytes)
        {
            return new ReadOnlySpan<byte>(s->Inline, (int)length);
        }
        long head = s->Offset;
        if (length > FolkloreLayout.MaxKeyBytes || (ulong)head >= (ulong)SlotsUsed || head + SlotsFor((int)length) > PieceEnd(PieceOf(head)))
        {
            ThrowRunOutOfRange(head, length);
        }
        return new ReadOnlySpan<byte>((byte*)Slot(head) + LongKeyOffset, (int)length);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowSlotOutOfRange(long slot) =>
        ThrowHelper.ThrowCorrupt($"map '{_mapName}': an entry names key slot {slot} of {SlotCount}");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRunOutOfRange(long head, uint length) =>
        ThrowHelper.ThrowCorrupt($"map '{_mapName}': a key slot places a key of {length} bytes in the slots from {head}, outside the {SlotsUsed} slots handed out or across a table's");
}
