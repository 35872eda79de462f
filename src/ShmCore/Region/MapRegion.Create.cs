using System.Security.Cryptography;
using ShmMaps.Core.Files;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Platform;
using ShmMaps.Core.Registry;

namespace ShmMaps.Core.Region;

internal sealed unsafe partial class MapRegion
{
    /// <summary>
    /// Creates map <paramref name="name"/>: an exclusive new file sized once for all its regions, the header
    /// written and checksummed, and the ready flag set last. <see cref="MapExistsException"/> if it exists.
    /// </summary>
    public static MapRegion Create(string name, RegionSpec spec, ShmOptions? options)
    {
        options ??= ShmOptions.Default;
        string path = MapFiles.PathFor(name, options);
        ValidateSpec(spec, options);
        IShmPlatform platform = ShmPlatform.Current;
        platform.EnsureDirectory(System.IO.Path.GetDirectoryName(path)!);

        int laneSize = LaneRecord.Size + AlignUp(spec.UndoCapacity, CacheLine.Size);
        long[] lengths = [checked((long)options.WriterLanes * laneSize), .. spec.RegionLengths];
        long[] offsets = new long[lengths.Length];
        long end = MapHeader.Size;
        for (int i = 0; i < lengths.Length; i++)
        {
            offsets[i] = end;
            end = checked(end + AlignUp(lengths[i], HeaderValidator.RegionAlignment));
        }

        MapFileHandle file = platform.CreateExclusive(path, options.FileMode);
        byte* address = null;
        try
        {
            if (!platform.TryLockByte(file, LaneTable.CreationLockOffset))
            {
                throw new IOException($"could not take the creation lock of the new map file '{path}'");
            }
            platform.SetLength(file, end);
            address = platform.Map(file, end);
            var header = (MapHeader*)address;
            WriteHeader(header, spec, options, platform.CurrentProcess, laneSize, offsets, lengths, end);
            header->Checksum = HeaderValidator.Checksum(header);
            // Release: every header byte is visible before an opener sees the flag.
            SharedMemory.WriteRelease(&header->Ready, MapHeader.ReadyValue);
            platform.UnlockByte(file, LaneTable.CreationLockOffset);
            return new MapRegion(name, path, options, platform, file, address, end);
        }
        catch
        {
            if (address != null)
            {
                platform.Unmap(address, end);
            }
            platform.Delete(path);
            file.Dispose();
            throw;
        }
    }

    private static void WriteHeader(MapHeader* header, RegionSpec spec, ShmOptions options, ProcessIdentity creator,
        int laneSize, long[] offsets, long[] lengths, long fileLength)
    {
        header->Magic = MapHeader.MagicValue;
        header->FormatMajor = MapHeader.CurrentFormatMajor;
        header->FormatMinor = MapHeader.CurrentFormatMinor;
        header->Kind = (ushort)spec.Kind;
        header->KeySize = (uint)spec.KeySize;
        header->ValueSize = (uint)spec.ValueSize;
        header->HashId = XxHash3.HashId;
        header->LaneCount = (uint)options.WriterLanes;
        header->HashSeed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        header->Capacity = spec.Capacity;
        header->FileLength = fileLength;
        header->RegionCount = (uint)lengths.Length;
        header->LaneSize = (uint)laneSize;
        MapHeader.WriteTypeName(header->KeyTypeName, spec.KeyTypeName);
        MapHeader.WriteTypeName(header->ValueTypeName, spec.ValueTypeName);
        header->CreatorPid = creator.Pid;
        header->CreatorStartTicks = creator.StartTicks;
        header->CreatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        header->BootId = creator.BootId;
        for (int i = 0; i < spec.KindParameters.Length; i++)
        {
            header->KindParameters[i] = spec.KindParameters[i];
        }
        for (int i = 0; i < lengths.Length; i++)
        {
            header->Regions[2 * i] = offsets[i];
            header->Regions[(2 * i) + 1] = lengths[i];
        }
    }

    private static void ValidateSpec(RegionSpec spec, ShmOptions options)
    {
        if (options.WriterLanes is < 1 or > LockWord.MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WriterLanes, $"WriterLanes must be in [1, {LockWord.MaxLanes}]");
        }
        if (spec.KindParameters.Length > MapHeader.SlotCount || spec.RegionLengths.Length > MapHeader.MaxRegions - 1)
        {
            throw new ArgumentException("too many kind parameters or regions", nameof(spec));
        }
        foreach (string typeName in new[] { spec.KeyTypeName, spec.ValueTypeName })
        {
            if (System.Text.Encoding.UTF8.GetByteCount(typeName) >= MapHeader.TypeNameCapacity)
            {
                throw new ArgumentException($"type name '{typeName}' is longer than {MapHeader.TypeNameCapacity - 1} bytes", nameof(spec));
            }
        }
    }

    private static long AlignUp(long value, long alignment) => checked((value + alignment - 1) / alignment * alignment);

    private static int AlignUp(int value, int alignment) => checked((value + alignment - 1) / alignment * alignment);
}
