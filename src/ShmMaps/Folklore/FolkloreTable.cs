using ShmMaps.Core.Memory;

namespace ShmMaps.Folklore;

/// <summary>A folklore map's entries and key store without its value type: what the inspector reads.</summary>
internal sealed unsafe class FolkloreTable(byte* entries, long cells, int entryBytes, ulong seed, KeyStore keys)
{
    public long Cells => cells;

    public long Mask => cells - 1;

    public int EntryBytes => entryBytes;

    public int ValueBits => entryBytes * 4;

    public ulong Seed => seed;

    public KeyStore Keys => keys;

    /// <summary>The entry of <paramref name="cell"/> (acquire: the key slot it names is read after it).</summary>
    public ulong Read(long cell) => entryBytes == 4
        ? SharedMemory.ReadAcquire((uint*)entries + cell)
        : SharedMemory.ReadAcquire((ulong*)entries + cell);
}
