using ShmMaps.Core.Files;

namespace ShmMaps.Inspection;

/// <summary>
/// Reads any map file without knowing its generic types: list a directory, describe, dump, check, recover.
/// </summary>
/// <remarks>The CLI and the hosting package use this and the public map types only.</remarks>
public static unsafe class MapInspector
{
    /// <summary>The directory maps live in under <paramref name="options"/> (options, else <c>$SHMMAPS_DIR</c>, else the platform default).</summary>
    public static string DirectoryOf(ShmOptions? options = null) => MapFiles.DirectoryFor(options);

    /// <summary>No kind-specific lines of <c>shm info</c>.</summary>
    internal static IReadOnlyDictionary<string, string> NoDetails { get; } = new Dictionary<string, string>();

    /// <summary>Every map file in the directory of <paramref name="options"/>, each described or with the reason it could not be.</summary>
    public static IReadOnlyList<MapListing> List(ShmOptions? options = null)
    {
        string directory = MapFiles.DirectoryFor(options);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        var listings = new List<MapListing>();
        foreach (string path in Directory.EnumerateFiles(directory, "*" + MapFiles.Extension).Order(StringComparer.Ordinal))
        {
            if (MapFiles.NameOf(path) is not { } name)
            {
                continue;
            }
            try
            {
                listings.Add(new MapListing(name, path, Describe(name, options), null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                listings.Add(new MapListing(name, path, null, e is ShmMapException or IOException or UnauthorizedAccessException or TimeoutException
                    ? e.Message
                    : $"{e.GetType().Name}: {e.Message}")); // whatever is wrong with one file, the others are listed
            }
        }
        return listings;
    }

    /// <summary>Describes map <paramref name="name"/>: header, count, lanes.</summary>
    public static MapDescription Describe(string name, ShmOptions? options = null)
    {
        using MapRegion region = OpenAny(name, options);
        MapHeader* header = region.Header;
        var stat = region.Stat();
        var lanes = new List<LaneDescription>();
        for (int i = 0; i < region.Lanes.Count; i++)
        {
            LaneRecord* lane = region.Lanes.Record(i);
            if (lane->Generation == 0)
            {
                continue;
            }
            lanes.Add(new LaneDescription(i, lane->Pid, region.Lanes.IsAlive(i), lane->Generation,
                UnixTime.FromMilliseconds(lane->ClaimedUnixMs), ((IntentState)lane->IntentState).ToString(), lane->EntryCount));
        }
        return new MapDescription
        {
            Name = name,
            Path = region.Path,
            Kind = region.Kind.ToString(),
            KeyType = MapHeader.ReadTypeName(header->KeyTypeName, "key type"),
            ValueType = MapHeader.ReadTypeName(header->ValueTypeName, "value type"),
            KeySize = (int)header->KeySize,
            ValueSize = (int)header->ValueSize,
            Capacity = header->Capacity,
            Count = KindCatalog.For(region.Kind)?.Count(region) ?? -1,
            FileBytes = stat.Length,
            AllocatedBytes = stat.AllocatedBytes,
            FixedBytes = region.FixedBytes,
            OpenHandles = region.Handles.Live().Count - 1,
            Format = $"{header->FormatMajor}.{header->FormatMinor}",
            Created = UnixTime.FromMilliseconds(header->CreatedUnixMs),
            CreatorPid = header->CreatorPid,
            LaneCount = region.Lanes.Count,
            Lanes = lanes,
            Details = KindCatalog.For(region.Kind)?.Details(region) ?? NoDetails,
        };
    }

    /// <summary>
    /// A number that grows with every write map <paramref name="name"/> records, for rates: the completed writes of its
    /// cells (SeqMap, SeqArray, SeqVec) or stripes (StripedMap: one per operation or KeyLock), the publishes of a
    /// LeftRightMap; null for kinds that keep no such number (FolkloreMap, RwStore). Reads every lock word.
    /// </summary>
    public static long? WriteCount(string name, ShmOptions? options = null)
    {
        using MapRegion region = OpenAny(name, options);
        return Supported(region).Writes(region);
    }

    /// <summary>The entries of map <paramref name="name"/>, decoded from the type names in its header.</summary>
    public static IEnumerable<MapEntry> Dump(string name, ShmOptions? options = null)
    {
        using MapRegion region = OpenAny(name, options);
        foreach (MapEntry entry in Supported(region).Dump(region))
        {
            yield return entry;
        }
    }

    /// <summary>Verifies every invariant of map <paramref name="name"/>; changes nothing.</summary>
    public static CheckReport Check(string name, ShmOptions? options = null) => Walk(name, options, recover: false);

    /// <summary>Releases every lock of a dead process in map <paramref name="name"/> (restoring half-done writes), then checks it.</summary>
    public static CheckReport Recover(string name, ShmOptions? options = null) => Walk(name, options, recover: true);

    /// <summary>Deletes map <paramref name="name"/>'s file, whatever its kind; false if there was none.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    private static CheckReport Walk(string name, ShmOptions? options, bool recover)
    {
        using MapRegion region = OpenAny(name, options);
        var report = new CheckReport { Name = name };
        Supported(region).Check(region, report, recover);
        return report;
    }

    private static MapRegion OpenAny(string name, ShmOptions? options) => MapRegion.OpenPath(name, MapFiles.PathFor(name, options), options);

    private static IKindInspector Supported(MapRegion region) =>
        KindCatalog.For(region.Kind)
        ?? throw new NotSupportedException($"map '{region.Name}' is a {region.Kind}; this version cannot inspect that kind");
}
