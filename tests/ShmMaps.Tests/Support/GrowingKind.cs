namespace ShmMaps.Tests.Support;

/// <summary>A kind of map that grows, for the shared growth tests: how to create and open one, and its growing child role.</summary>
/// <param name="Name">The kind's name.</param>
/// <param name="ChildRole">The child role that opens map <c>name</c> and inserts keys <c>from .. to - 1</c>, acknowledging each in <c>name-acked[0]</c>.</param>
/// <param name="Create">Creates a map for a capacity.</param>
/// <param name="Open">Opens a map.</param>
/// <param name="Delete">Deletes a map's file.</param>
public sealed record GrowingKind(
    string Name, string ChildRole, Func<string, long, ShmOptions, IGrowingMap> Create, Func<string, ShmOptions, IGrowingMap> Open, Func<string, ShmOptions, bool> Delete)
{
    /// <summary>SeqMap: key i holds i x 10.</summary>
    public static GrowingKind Seq { get; } = Of<SeqMap<long, long>, long, long>("SeqMap", "grow-insert", i => i, i => i * 10, map => map.Generation);

    /// <summary>StripedMap: key i holds i x 10; every fourth key is added through a KeyLock, as its child does.</summary>
    public static GrowingKind Striped { get; } = Of<StripedMap<long, long>, long, long>("StripedMap", "striped-grow", i => i, i => i * 10, map => map.Generation,
        map => i =>
        {
            if (i % 4 == 0)
            {
                StripedChildRoles.InsertLocked(map, i, i * 10);
            }
            else
            {
                map.Insert(i, i * 10);
            }
        });

    /// <summary>FolkloreMap: key i is <see cref="FolkloreChildRoles.GrowthKey"/>(i), holding i.</summary>
    public static GrowingKind Folklore { get; } = Of<FolkloreMap<int>, string, int>("FolkloreMap", "folklore-grow", FolkloreChildRoles.GrowthKey, i => (int)i, map => map.Generation);

    /// <summary>A kind through <see cref="IShmMapOpener{TSelf,TKey,TValue}"/>: one adapter for every keyed map.</summary>
    private static GrowingKind Of<TMap, TKey, TValue>(
        string name, string childRole, Func<long, TKey> keyOf, Func<long, TValue> valueOf, Func<TMap, int> generation,
        Func<TMap, Action<long>>? insert = null)
        where TMap : class, IShmMapOpener<TMap, TKey, TValue>
        where TValue : unmanaged
    {
        IGrowingMap Adapt(TMap map) => new GrowingMap<TKey, TValue>(map, keyOf, valueOf, () => generation(map), insert?.Invoke(map));
        return new GrowingKind(name, childRole, (n, capacity, options) => Adapt(TMap.Create(n, capacity, options)), (n, options) => Adapt(TMap.Open(n, options)),
            (n, options) => TMap.Delete(n, options));
    }

    /// <summary>The kind named <paramref name="name"/>.</summary>
    public static GrowingKind Named(string name) => new[] { Seq, Striped, Folklore }.Single(kind => kind.Name == name);
}
