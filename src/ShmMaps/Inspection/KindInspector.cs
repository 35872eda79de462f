using ShmMaps.Core.Region;

namespace ShmMaps.Inspection;

/// <summary>What the inspector does for one family of map kinds: the one place that maps a kind to its reader.</summary>
internal sealed record KindInspector(
    Func<MapRegion, long> Count,
    Func<MapRegion, IReadOnlyDictionary<string, string>> Details,
    Func<MapRegion, IEnumerable<MapEntry>> Dump,
    Action<MapRegion, CheckReport, bool> Check,
    Func<MapRegion, long?> Writes)
{
    /// <summary>No kind-specific figures.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoDetails = new Dictionary<string, string>();

    private static readonly KindInspector Seq = new(SeqInspector.Count, _ => NoDetails, SeqInspector.Dump, SeqInspector.Check, SeqInspector.Writes);

    private static readonly KindInspector SeqMap = new(SeqMapInspector.Count, SeqMapInspector.Details, SeqMapInspector.Dump, SeqMapInspector.Check, SeqMapInspector.Writes);

    // Single-CAS writes leave no lock to recover: check and recover are the same walk.
    private static readonly KindInspector Folklore = new(
        FolkloreInspector.Count, FolkloreInspector.Details, FolkloreInspector.Dump, (region, report, _) => FolkloreInspector.Check(region, report), _ => null);

    private static readonly KindInspector Striped = new(
        region => region.Lanes.SumEntryCounts(), StripedInspector.Details, StripedInspector.Dump, StripedInspector.Check, StripedInspector.Writes);

    private static readonly KindInspector LeftRight = new(
        LeftRightInspector.Count, LeftRightInspector.Details, LeftRightInspector.Dump, LeftRightInspector.Check, LeftRightInspector.Publishes);

    private static readonly KindInspector Rw = new(
        RwStoreInspector.Count, RwStoreInspector.Details, RwStoreInspector.Dump, RwStoreInspector.Check, _ => null);

    /// <summary>The inspector of <paramref name="kind"/>, or null for a kind this version cannot read.</summary>
    public static KindInspector? For(MapKind kind) => kind switch
    {
        MapKind.SeqArray or MapKind.SeqVec => Seq,
        MapKind.SeqMap => SeqMap,
        MapKind.FolkloreMap => Folklore,
        MapKind.StripedMap => Striped,
        MapKind.LeftRightMap => LeftRight,
        MapKind.RwStore => Rw,
        _ => null,
    };
}
