namespace ShmMaps.Tests.Fuzz;

internal sealed class StripedFuzz : LongMapFuzz<StripedMap<long, long>>
{
    public override string Name => "StripedMap";

    protected override long TemplateCapacity => 64;

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
