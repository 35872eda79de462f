namespace ShmMaps.Tests.Fuzz;

/// <summary>What a map of long keys and values goes through (SeqMap and StripedMap have the same surface).</summary>
internal abstract class LongMapFuzz<TMap> : FuzzKind where TMap : class, IDisposable, IEnumerable<KeyValuePair<long, long>>
{
    public override void CreateTemplate(string name, ShmOptions options)
    {
        using TMap map = Create(name, options);
        for (long key = 0; key < 40; key++)
        {
            Insert(map, key, key * 10);
        }
        TryRemove(map, 7);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        TMap? map = null;
        step("open", () => map = Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => Count(map));
            step("get", () =>
            {
                for (long key = 0; key < 48; key++)
                {
                    TryGet(map, key);
                }
            });
            step("enumerate", () => _ = map.Take(1000).Count());
            step("insert", () =>
            {
                Insert(map, 3, 33);
                Insert(map, 1000, 1);
                TryAdd(map, 1001, 2);
            });
            step("remove", () => TryRemove(map, 5));
            ExerciseMore(map, step);
        }
    }

    protected abstract TMap Create(string name, ShmOptions options);

    protected abstract TMap Open(string name, ShmOptions options);

    protected abstract long Count(TMap map);

    protected abstract bool TryGet(TMap map, long key);

    protected abstract void Insert(TMap map, long key, long value);

    protected abstract bool TryAdd(TMap map, long key, long value);

    protected abstract bool TryRemove(TMap map, long key);

    /// <summary>What only this kind does.</summary>
    protected virtual void ExerciseMore(TMap map, FuzzSteps step)
    {
    }
}
