using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Region;

namespace ShmMaps.Tests.Support;

/// <summary>
/// Changes to a map file's bytes, made where a test says and written back: the damage a hostile file carries. Reads
/// and writes only the bytes it is asked for (a growing map's file reserves far more than it uses).
/// </summary>
public sealed class MapFilePatch(string path)
{
    private readonly SortedDictionary<long, byte[]> _writes = [];

    public long RegionOffset(int region) => ReadInt64(448 + (16 * region));

    public long RegionLength(int region) => ReadInt64(448 + (16 * region) + 8);

    public uint ReadUInt32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Read(offset, 4));

    public long ReadInt64(long offset) => BinaryPrimitives.ReadInt64LittleEndian(Read(offset, 8));

    public MapFilePatch Int64(long offset, long value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _writes[offset] = bytes;
        return this;
    }

    public MapFilePatch UInt32(long offset, uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        _writes[offset] = bytes;
        return this;
    }

    /// <summary>Writes the changes back, with the header's checksum made right (so that the damage reaches past it).</summary>
    public void Save()
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        foreach ((long offset, byte[] bytes) in _writes)
        {
            RandomAccess.Write(file, bytes, offset);
        }
        byte[] header = new byte[MapHeader.ChecksummedLength + 8];
        RandomAccess.Read(file, header, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(MapHeader.ChecksummedLength), XxHash3.Hash(header.AsSpan(0, MapHeader.ChecksummedLength)));
        RandomAccess.Write(file, header.AsSpan(MapHeader.ChecksummedLength, 8), MapHeader.ChecksummedLength);
        _writes.Clear();
    }

    /// <summary>The file's bytes at <paramref name="offset"/> as they will be written (pending changes included).</summary>
    public byte[] Read(long offset, int length)
    {
        byte[] bytes = new byte[length];
        using (SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
        {
            RandomAccess.Read(file, bytes, offset);
        }
        foreach ((long start, byte[] written) in _writes)
        {
            for (int i = 0; i < written.Length; i++)
            {
                long at = start + i - offset;
                if (at >= 0 && at < length)
                {
                    bytes[at] = written[i];
                }
            }
        }
        return bytes;
    }
}
