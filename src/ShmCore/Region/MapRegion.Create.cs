using System.Security.Cryptography;
using ShmMaps.Core.Files;
using ShmMaps.Core.Hashing;

namespace ShmMaps.Core.Region;

internal sealed unsafe partial class MapRegion
{
    /// <summary>
    /// Creates map <paramref name="name"/>, atomically: the file is built where no name names it (sized once for all
    /// its regions, its fixed regions reserved, the header written and checksummed, the ready flag set last), then
    /// linked to its name without replacing anything. A creator killed at any instant leaves either no map or a
    /// ready one. <see cref="MapExistsException"/> if the name exists; <see cref="MapFullException"/> if the file
    /// system has no room for the reserved bytes.
    /// </summary>
    public static MapRegion Create(string name, RegionSpec spec, ShmOptions? options)
    {
        options ??= ShmOptions.Default;
        string path = MapFiles.PathFor(name, options);
        string directory = System.IO.Path.GetDirectoryName(path)!;
        ValidateSpec(spec, options);
        IShmPlatform platform = ShmPlatform.Current;
        platform.EnsureDirectory(directory, shared: !options.RequireSameOwner);
        if (platform.StatPath(path) is not null)
        {
            // Building (and reserving) a whole file only to find the name taken would waste the memory for nothing.
            throw new MapExistsException($"map file '{path}' already exists");
        }
        platform.SweepAbandoned(directory);

        int laneSize = LaneRecord.Size + AlignUp(spec.UndoCapacity, CacheLine.Size);
        long[] lengths = [checked((long)options.WriterLanes * laneSize), .. spec.RegionLengths];
        long[] offsets = new long[lengths.Length];
        ushort growing = 0;
        for (int i = 1; i < lengths.Length; i++)
        {
            if (spec.ReservedLength(i) < lengths[i])
            {
                growing |= (ushort)(1 << i);
            }
        }
        // The lanes, then every region the file holds whole, then the growing one: the file's length follows its use.
        long end = MapHeader.Size;
        foreach (int i in Enumerable.Range(0, lengths.Length).OrderBy(i => (growing >> i) & 1))
        {
            offsets[i] = end;
            end = checked(end + AlignUp(lengths[i], HeaderValidator.RegionAlignment));
        }
        long fileLength = MapHeader.Size;
        for (int i = 0; i < lengths.Length; i++)
        {
            fileLength = Math.Max(fileLength, offsets[i] + ((growing >> i & 1) != 0 ? spec.ReservedLength(i) : AlignUp(lengths[i], HeaderValidator.RegionAlignment)));
        }

        NewMapFile file = platform.CreateUnpublished(directory, name, options.FileMode);
        MapAddressSpace? space = null;
        try
        {
            platform.SetLength(file.Handle, fileLength);
            ReserveAtCreate(platform, file.Handle, name, path, spec, offsets, lengths);
            space = new MapAddressSpace(platform, file.Handle, path, fileLength, grows: growing != 0);
            var header = (MapHeader*)space.Pointer(0, MapHeader.Size);
            WriteHeader(header, spec, options, platform.CurrentProcess, laneSize, offsets, lengths, fileLength);
            header->GrowingRegions = growing;
            header->Checksum = HeaderValidator.Checksum(header);
            // Release: every header byte is visible before an opener sees the flag (openers of a published file
            // always see it set; it marks files a creator of an older format never finished).
            SharedMemory.WriteRelease(&header->Ready, MapHeader.ReadyValue);
            platform.Publish(file, path);
            return new MapRegion(name, path, options, platform, file.Handle, space);
        }
        catch
        {
            space?.Dispose();
            platform.Discard(file);
            file.Handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Allocates what the map touches before it grows: the header, the lanes, and of each region what the spec
    /// reserves at create. <see cref="MapFullException"/> (or <see cref="MapExistsException"/> if a racing creator
    /// took the name, and the room, first).
    /// </summary>
    private static void ReserveAtCreate(IShmPlatform platform, MapFileHandle file, string name, string path, RegionSpec spec, long[] offsets, long[] lengths)
    {
        long needed = offsets[0] + lengths[0];
        for (int i = 1; i < lengths.Length; i++)
        {
            needed += spec.ReservedLength(i);
        }
        bool reserved = platform.TryReserve(file, 0, offsets[0] + lengths[0]);
        for (int i = 1; reserved && i < lengths.Length; i++)
        {
            long length = spec.ReservedLength(i);
            reserved = length == 0 || platform.TryReserve(file, offsets[i], length);
        }
        if (reserved)
        {
            return;
        }
        if (platform.StatPath(path) is not null)
        {
            throw new MapExistsException($"map file '{path}' already exists");
        }
        string directory = System.IO.Path.GetDirectoryName(path)!;
        throw new MapFullException(
            $"map '{name}': creating it needs {needed:N0} bytes of memory in '{directory}', which has {platform.AvailableBytes(directory):N0} bytes free; " +
            "free some (shm list, shm delete), create a smaller map, or use a larger file system");
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
        if (options.WriterLanes is < 1 or > LaneOwner.MaxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WriterLanes, $"WriterLanes must be in [1, {LaneOwner.MaxLanes}]");
        }
        if (spec.KindParameters.Length > MapHeader.SlotCount || spec.RegionLengths.Length > MapHeader.MaxRegions - 1
            || (spec.ReservedAtCreate is { } reserved && reserved.Length != spec.RegionLengths.Length))
        {
            throw new ArgumentException("too many kind parameters or regions, or a reservation per region missing", nameof(spec));
        }
        if (Enumerable.Range(1, spec.RegionLengths.Length).Count(i => spec.ReservedLength(i) < spec.RegionLengths[i - 1]) > 1)
        {
            throw new ArgumentException("a map's file has at most one growing region (the file grows at its end)", nameof(spec));
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
