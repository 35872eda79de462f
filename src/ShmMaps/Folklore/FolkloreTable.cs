namespace ShmMaps.Folklore;

/// <summary>One table of a folklore map's entries, without its value type: what the map and the inspector read.</summary>
internal sealed unsafe class FolkloreTable(
    int generation, byte* entries, long cells, int entryBytes, int keyBits, ulong tagMask, ulong copiedBit, ulong frozenBit,
    KeySlot* cellSlots, long slotLimit, ulong* moved, int blockShift, ulong seed, KeyStore keys) : IMigratingTable
{
    public int Generation => generation;

    public byte* Entries => entries;

    public long Cells => cells;

    public long Mask => cells - 1;

    public int EntryBytes => entryBytes;

    public int ValueBits => entryBytes * 4;

    /// <summary>The bits of an entry's key field that hold the key index; the rest hold a tag of the key's hash and the flags.</summary>
    public int KeyBits => keyBits;

    /// <summary>The bits of an entry's key field that hold a tag of the key's hash.</summary>
    public int TagBits => System.Numerics.BitOperations.PopCount(tagMask);

    public ulong KeyIndexMask => FolkloreEntry.KeyIndexMask(keyBits);

    public ulong TagMask => tagMask;

    /// <summary>The entry bit saying its key slot is copied beside its cell; 0 in a table without cell slots.</summary>
    public ulong CopiedBit => copiedBit;

    /// <summary>The entry bit saying a migration froze it; 0 in a map that never grows.</summary>
    public ulong FrozenBit => frozenBit;

    /// <summary>The slots beside the cells, or null.</summary>
    public KeySlot* CellSlots => cellSlots;

    public bool HasCellSlots => cellSlots != null;

    /// <summary>The key slots this table's entries may name (all reserved while the table is in use).</summary>
    public long SlotLimit => slotLimit;

    /// <summary>The moved flags of the table's blocks (null in a map that never grows).</summary>
    public ulong* Moved => moved;

    /// <summary>The shift from a home cell to its block.</summary>
    public int BlockShift => blockShift;

    public long Blocks => cells >> blockShift;

    public ulong Seed => seed;

    public KeyStore Keys => keys;

    /// <summary>Whether <paramref name="entry"/> says its key slot is copied beside its cell.</summary>
    public bool IsCopied(ulong entry) => (entry & copiedBit) != 0;

    /// <summary>Whether <paramref name="entry"/> is empty (frozen or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsEmpty(ulong entry) => (entry & ~frozenBit) == 0;

    /// <summary>The key slot that <paramref name="entry"/> (not empty) names.</summary>
    public long KeyIndex(ulong entry) => FolkloreEntry.KeyIndex(entry, ValueBits, KeyIndexMask);

    /// <summary>Whether <paramref name="entry"/> holds the tag of a key of <paramref name="hash"/>.</summary>
    public bool TagMatches(ulong entry, ulong hash) => (entry & tagMask) == FolkloreEntry.Tag(hash, ValueBits, tagMask);

    /// <summary>The block of home cell <paramref name="home"/>.</summary>
    public long BlockOf(long home) => home >> blockShift;

    /// <summary>A migration's units are the blocks of home cells.</summary>
    public long Units => Blocks;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long UnitOf(ulong hash) => BlockOf((long)(hash & (ulong)Mask));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* MovedFlag(long unit) => moved + unit;

    /// <summary>The key slot <paramref name="entry"/> of <paramref name="cell"/> names, within the slot limit, or null (a corrupt entry).</summary>
    public KeySlot* NamedSlot(ulong entry, long cell) => (entry & copiedBit) != 0 ? cellSlots + cell : keys.SlotOrNull(KeyIndex(entry), slotLimit);

    /// <summary>The keys present (not empty, not removed): a scan of every cell.</summary>
    public long CountPresent()
    {
        long count = 0;
        for (long cell = 0; cell < cells; cell++)
        {
            ulong entry = Read(cell);
            count += !IsEmpty(entry) && !FolkloreEntry.IsRemoved(entry, ValueBits) ? 1 : 0;
        }
        return count;
    }

    /// <summary>The entry of <paramref name="cell"/> (acquire: the key slot it names is read after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(long cell) => entryBytes == 4
        ? SharedMemory.ReadAcquire((uint*)entries + cell)
        : SharedMemory.ReadAcquire((ulong*)entries + cell);
}
