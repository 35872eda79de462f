namespace ShmMaps.Inspection;

/// <summary>
/// What <c>shm</c> and <see cref="MapInspector"/> read, check, recover and change of one kind of map, from its raw file
/// or through its API: one per kind, in the kind's folder, found by <see cref="KindCatalog"/> from the kind's <see cref="MapKind"/>.
/// </summary>
internal interface IKindInspector
{
    /// <summary>The kind its files name in their header.</summary>
    MapKind Kind { get; }

    /// <summary>The name <c>shm create --kind</c> takes for it.</summary>
    string ShortName { get; }

    /// <summary>
    /// Whether its header names a key type that <c>shm</c> reads and writes keys as (false: string keys, indexes or
    /// ids, which the kind fixes).
    /// </summary>
    bool TypedKeys { get; }

    /// <summary>Whether its header names a value type that <c>shm</c> reads and writes values as (false: bytes, which the kind fixes).</summary>
    bool TypedValues => true;

    /// <summary>The entries (elements) the map holds.</summary>
    long Count(MapRegion region);

    /// <summary>The kind's own lines of <c>shm info</c>.</summary>
    IReadOnlyDictionary<string, string> Details(MapRegion region) => MapInspector.NoDetails;

    /// <summary>The entries, decoded from the type names in the header.</summary>
    IEnumerable<MapEntry> Dump(MapRegion region);

    /// <summary>Checks every invariant into <paramref name="report"/>; with <paramref name="recover"/>, first finishes what dead processes left.</summary>
    void Check(MapRegion region, CheckReport report, bool recover);

    /// <summary>A number that grows with every write the map records (for rates); null if the kind keeps none.</summary>
    long? Writes(MapRegion region) => null;

    /// <summary>Entries of a map of this kind whose header names <paramref name="key"/> (null without <see cref="TypedKeys"/>) and <paramref name="value"/>.</summary>
    EntryAccess Access(Type? key, Type value);
}
