namespace ShmMaps.Workload;

/// <summary>Every store the workload measures, by name.</summary>
internal static class Stores
{
    public static IReadOnlyList<StoreKind> All { get; } =
    [
        new SeqMapKind(), new StripedMapKind(), new FolkloreMapKind(), new LeftRightMapKind(), new RwStoreKind(), new BlobMapKind(),
        new DictionaryKind(), new LmdbKind(held: true), new LmdbKind(held: false), new RedisKind(pipelined: false), new RedisKind(pipelined: true),
        new NaiveKind(), new DistributedCacheKind("shm"), new DistributedCacheKind("memory"), new DistributedCacheKind("redis"),
    ];

    public static StoreKind Named(string name) =>
        All.SingleOrDefault(kind => kind.Name == name) ?? throw new ArgumentException($"no store '{name}': {string.Join(", ", All.Select(k => k.Name))}");
}
