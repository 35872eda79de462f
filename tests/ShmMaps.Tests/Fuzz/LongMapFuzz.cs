namespace ShmMaps.Tests.Fuzz;

/// <summary>What a map of long keys and values goes through, through the surface the keyed kinds share.</summary>
internal abstract class LongMapFuzz<TMap> : FuzzKind
    where TMap : class, IShmMapOpener<TMap, long, long>
{
    /// <summary>The capacity the template is created for (small: it grows for the template's keys).</summary>
    protected abstract long TemplateCapacity { get; }

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using TMap map = TMap.Create(name, TemplateCapacity, options);
        for (long key = 0; key < 40; key++)
        {
            map.Insert(key, key * 10);
        }
        map.TryRemove(7, out _);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        TMap? map = null;
        step("open", () => map = TMap.Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => _ = map.Count);
            step("get", () =>
            {
                for (long key = 0; key < 48; key++)
                {
                    map.TryGetValue(key, out _);
                }
            });
            step("enumerate", () => _ = map.Take(1000).Count());
            step("insert", () =>
            {
                map.Insert(3, 33);
                map.Insert(1000, 1);
                map.TryAdd(1001, 2);
            });
            step("remove", () => map.TryRemove(5, out _));
            ExerciseMore(map, step);
        }
    }

    /// <summary>What only this kind does.</summary>
    protected virtual void ExerciseMore(TMap map, FuzzSteps step)
    {
    }
}
