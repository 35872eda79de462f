using System.Buffers.Binary;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Region;

namespace ShmMaps.Tests.Support;

/// <summary>A map file's bytes, changed where a test says and written back: the damage a hostile file carries.</summary>
public sealed class MapFilePatch(string path)
{
    public byte[] Bytes { get; } = File.ReadAllBytes(path);

    public long RegionOffset(int region) => BinaryPrimitives.ReadInt64LittleEndian(Bytes.AsSpan(448 + (16 * region)));

    public long RegionLength(int region) => BinaryPrimitives.ReadInt64LittleEndian(Bytes.AsSpan(448 + (16 * region) + 8));

    public uint ReadUInt32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan((int)offset));

    public MapFilePatch Int64(long offset, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Bytes.AsSpan((int)offset), value);
        return this;
    }

    public MapFilePatch UInt32(long offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan((int)offset), value);
        return this;
    }

    /// <summary>Writes the file back, with the header's checksum made right (so that the damage reaches past it).</summary>
    public void Save()
    {
        ulong checksum = XxHash3.Hash(Bytes.AsSpan(0, MapHeader.ChecksummedLength));
        BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(MapHeader.ChecksummedLength), checksum);
        File.WriteAllBytes(path, Bytes);
    }
}
