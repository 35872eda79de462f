using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;

namespace ShmMaps.Folklore;

/// <summary>A folklore map's entries and key store without its value type: what the map and the inspector read.</summary>
internal sealed unsafe class FolkloreTable(byte* entries, long cells, int entryBytes, int keyBits, ulong seed, KeyStore keys)
{
    /// <summary>The entries and key store of <paramref name="region"/>, their parameters validated against the region.</summary>
    public static FolkloreTable Open(MapRegion region)
    {
        long cells = region.KindParameter(FolkloreLayout.CellCountParameter);
        long entryBytes = region.KindParameter(FolkloreLayout.EntryBytesParameter);
        byte* entries = region.RegionPointer(FolkloreLayout.EntryRegion, out long length);
        if (entryBytes is not (4 or 8) || cells < 4 || (cells & (cells - 1)) != 0 || cells > FolkloreLayout.MaxCells || length < cells * entryBytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cell count {cells} or entry size {entryBytes} is invalid");
        }
        var keys = new KeyStore(region);
        if (keys.SlotCount > FolkloreLayout.MaxKeys((int)entryBytes) || keys.SlotCount >= cells)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {keys.SlotCount} key slots do not fit {cells} cells of {entryBytes}-byte entries");
        }
        // 0 in a file made before entries held tags: the whole key field names the slot.
        long keyBits = region.KindParameter(FolkloreLayout.KeyBitsParameter);
        int fieldBits = FolkloreEntry.KeyFieldBits((int)entryBytes * 4);
        keyBits = keyBits == 0 ? fieldBits : keyBits;
        if (keyBits < FolkloreEntry.KeyBitsFor(keys.SlotCount) || keyBits > fieldBits - (keys.HasCellSlots ? 1 : 0))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {keyBits} key bits cannot name {keys.SlotCount} key slots in {entryBytes}-byte entries");
        }
        return new FolkloreTable(entries, cells, (int)entryBytes, (int)keyBits, region.HashSeed, keys);
    }

    public byte* Entries => entries;

    public long Cells => cells;

    public long Mask => cells - 1;

    public int EntryBytes => entryBytes;

    public int ValueBits => entryBytes * 4;

    /// <summary>The bits of an entry's key field that hold the key index; the rest hold a tag of the key's hash.</summary>
    public int KeyBits => keyBits;

    /// <summary>The bits of an entry's key field that hold a tag of the key's hash.</summary>
    public int TagBits => FolkloreEntry.KeyFieldBits(ValueBits) - keyBits - (keys.HasCellSlots ? 1 : 0);

    public ulong KeyIndexMask => FolkloreEntry.KeyIndexMask(keyBits);

    public ulong TagMask => FolkloreEntry.TagMask(ValueBits, keyBits, keys.HasCellSlots);

    /// <summary>The entry bit saying its key slot is copied beside the cell; 0 in a map without cell slots.</summary>
    public ulong CopiedBit => keys.HasCellSlots ? FolkloreEntry.CopiedBit(ValueBits) : 0;

    /// <summary>Whether <paramref name="entry"/> says its key slot is copied beside its cell.</summary>
    public bool IsCopied(ulong entry) => (entry & CopiedBit) != 0;

    /// <summary>The key slot that <paramref name="entry"/> (not empty) names.</summary>
    public long KeyIndex(ulong entry) => FolkloreEntry.KeyIndex(entry, ValueBits, KeyIndexMask);

    /// <summary>Whether <paramref name="entry"/> holds the tag of a key of <paramref name="hash"/>.</summary>
    public bool TagMatches(ulong entry, ulong hash) => (entry & TagMask) == FolkloreEntry.Tag(hash, ValueBits, TagMask);

    public ulong Seed => seed;

    public KeyStore Keys => keys;

    /// <summary>The keys present: a scan of every cell, exact however writers died.</summary>
    public long CountPresent()
    {
        long count = 0;
        for (long cell = 0; cell < cells; cell++)
        {
            ulong entry = Read(cell);
            if (entry != 0 && !FolkloreEntry.IsRemoved(entry, ValueBits))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The entry of <paramref name="cell"/> (acquire: the key slot it names is read after it).</summary>
    public ulong Read(long cell) => entryBytes == 4
        ? SharedMemory.ReadAcquire((uint*)entries + cell)
        : SharedMemory.ReadAcquire((ulong*)entries + cell);
}
