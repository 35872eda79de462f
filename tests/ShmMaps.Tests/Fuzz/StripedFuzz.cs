namespace ShmMaps.Tests.Fuzz;

internal sealed class StripedFuzz : LongMapFuzz<StripedMap<long, long>>
{
    public override string Name => "StripedMap";

    protected override StripedMap<long, long> Create(string name, ShmOptions options) => StripedMap<long, long>.Create(name, 64, options);

    protected override StripedMap<long, long> Open(string name, ShmOptions options) => StripedMap<long, long>.Open(name, options);

    protected override long Count(StripedMap<long, long> map) => map.Count;

    protected override bool TryGet(StripedMap<long, long> map, long key) => map.TryGetValue(key, out _);

    protected override void Insert(StripedMap<long, long> map, long key, long value) => map.Insert(key, value);

    protected override bool TryAdd(StripedMap<long, long> map, long key, long value) => map.TryAdd(key, value);

    protected override bool TryRemove(StripedMap<long, long> map, long key) => map.TryRemove(key, out _);

    protected override void ExerciseMore(StripedMap<long, long> map, FuzzSteps step)
    {
        step("add or update", () => map.AddOrUpdate(4, 1, (_, v) => v + 1));
        step("lock", () =>
        {
            using KeyLock<long, long> scope = map.Lock(1, 2);
            scope[1] = scope.Get(2) ?? 0;
            scope.TryRemove(2, out _);
        });
    }
}
