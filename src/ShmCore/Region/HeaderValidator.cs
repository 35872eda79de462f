using System.Numerics;
using ShmMaps.Core.Hashing;

namespace ShmMaps.Core.Region;

/// <summary>
/// Checks every field of a header before anything else of the file is touched; each failure names the field.
/// </summary>
internal static unsafe class HeaderValidator
{
    public const int RegionAlignment = 4096;

    /// <summary>The largest bound a growing region may have (64 TiB): far past any file, short of overflowing an offset.</summary>
    public const long MaxGrowingRegion = 1L << 46;

    /// <summary>Throws <see cref="CorruptMapException"/> or <see cref="LayoutMismatchException"/> unless the header is whole and fits <paramref name="fileLength"/>.</summary>
    public static void Validate(MapHeader* header, long fileLength, string path)
    {
        if (header->Magic != MapHeader.MagicValue)
        {
            Fail(path, "magic", $"0x{header->Magic:X16} is not a ShmMaps file");
        }
        if (header->FormatMajor != MapHeader.CurrentFormatMajor)
        {
            throw new LayoutMismatchException($"map file '{path}': header field 'format major' is {header->FormatMajor}; this library reads format {MapHeader.CurrentFormatMajor}");
        }
        ulong checksum = Checksum(header);
        if (header->Checksum != checksum)
        {
            Fail(path, "checksum", $"0x{header->Checksum:X16} does not match the header's bytes (0x{checksum:X16}): the header was changed or damaged");
        }
        if (!Enum.IsDefined((MapKind)header->Kind) || header->Kind == (ushort)MapKind.None)
        {
            Fail(path, "kind", $"{header->Kind} is not a known map kind");
        }
        if (header->HashId != XxHash3.HashId)
        {
            Fail(path, "hash id", $"0x{header->HashId:X8} is not a hash this library computes");
        }
        if (header->LaneCount is 0 or > LaneOwner.MaxLanes)
        {
            Fail(path, "lane count", $"{header->LaneCount} is outside [1, {LaneOwner.MaxLanes}]");
        }
        if (header->LaneSize < LaneRecord.Size || header->LaneSize % CacheLine.Size != 0 || header->LaneSize > 1 << 20)
        {
            Fail(path, "lane size", $"{header->LaneSize} is not a multiple of {CacheLine.Size} in [{LaneRecord.Size}, 1 MiB]");
        }
        if (header->KeySize > 1 << 20 || header->ValueSize > 1 << 20)
        {
            Fail(path, "key size", $"key size {header->KeySize} or value size {header->ValueSize} is implausible");
        }
        if (header->Capacity < 0)
        {
            Fail(path, "capacity", $"{header->Capacity} is negative");
        }
        if (header->FileLength < MapHeader.Size || header->FileLength > fileLength)
        {
            Fail(path, "file length", $"the header says {header->FileLength} bytes but the file has {fileLength}: it was truncated");
        }
        MapHeader.ReadTypeName(header->KeyTypeName, "key type");
        MapHeader.ReadTypeName(header->ValueTypeName, "value type");
        ValidateRegions(header, path);
    }

    /// <summary>XXH3 of the immutable part of the header (the bytes before the checksum field).</summary>
    public static ulong Checksum(MapHeader* header) =>
        XxHash3.Hash(new ReadOnlySpan<byte>(header, MapHeader.ChecksummedLength));

    private static void ValidateRegions(MapHeader* header, string path)
    {
        uint count = header->RegionCount;
        if (count is 0 or > MapHeader.MaxRegions)
        {
            Fail(path, "region count", $"{count} is outside [1, {MapHeader.MaxRegions}]");
        }
        if ((header->GrowingRegions & 1) != 0 || header->GrowingRegions >> (int)count != 0 || (header->FormatMinor == 0 && header->GrowingRegions != 0))
        {
            Fail(path, "growing regions", $"0x{header->GrowingRegions:X4} names the lane table or a region past the {count} regions");
        }
        bool fileGrows = header->FormatMinor >= MapHeader.GrowingFileMinor;
        if (fileGrows && BitOperations.PopCount(header->GrowingRegions) > 1)
        {
            Fail(path, "growing regions", $"0x{header->GrowingRegions:X4} names more than one growing region");
        }
        // Regions in file order: none overlaps the one before it; each that the file holds whole ends within the
        // length the file had at create; a growing region (format 1.2 on) is the last and only starts there.
        var order = Enumerable.Range(0, (int)count).OrderBy(i => header->Regions[2 * i]).ToArray();
        long previousEnd = MapHeader.Size;
        foreach (int i in order)
        {
            long offset = header->Regions[2 * i];
            long length = header->Regions[(2 * i) + 1];
            string field = $"region {i}";
            bool growing = fileGrows && (header->GrowingRegions & (1 << i)) != 0;
            if (offset < previousEnd || offset % RegionAlignment != 0)
            {
                Fail(path, field, $"offset {offset} overlaps the previous region (ends at {previousEnd}) or is not {RegionAlignment}-aligned");
            }
            if (growing ? length < 0 || length > MaxGrowingRegion || offset > header->FileLength || i != order[^1] : length < 0 || length > header->FileLength - offset)
            {
                Fail(path, field, growing
                    ? $"[{offset}, +{length}) grows from past the file length {header->FileLength}, past {MaxGrowingRegion} bytes, or is not the file's last region"
                    : $"[{offset}, +{length}) runs past the file length {header->FileLength}");
            }
            previousEnd = offset + length;
        }
        if (order[0] != 0 || header->Regions[0] != MapHeader.Size)
        {
            Fail(path, "region 0", $"the lane table is at {header->Regions[0]}, not first after the header");
        }
        long laneBytes = (long)header->LaneCount * header->LaneSize;
        if (header->Regions[1] != laneBytes)
        {
            Fail(path, "region 0", $"the lane table is {header->Regions[1]} bytes, {header->LaneCount} lanes of {header->LaneSize} need {laneBytes}");
        }
    }

    private static void Fail(string path, string field, string problem) =>
        ThrowHelper.ThrowCorrupt($"map file '{path}': header field '{field}': {problem}");
}
