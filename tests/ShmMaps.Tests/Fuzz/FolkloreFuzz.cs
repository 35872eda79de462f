namespace ShmMaps.Tests.Fuzz;

internal sealed class FolkloreFuzz : FuzzKind
{
    public override string Name => "FolkloreMap";

    public override string SomeKey => Key(1);

    private static string Key(int i) => i % 3 == 0 ? $"a-long-key-that-does-not-fit-in-its-slot-{i}" : $"key-{i}";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var map = FolkloreMap<int>.Create(name, 64, options);
        for (int i = 0; i < 40; i++)
        {
            map.Insert(Key(i), i);
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        FolkloreMap<int>? map = null;
        step("open", () => map = FolkloreMap<int>.Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => _ = map.Count);
            step("get", () =>
            {
                for (int i = 0; i < 48; i++)
                {
                    map.TryGetValue(Key(i), out _);
                    map.TryGetValue(System.Text.Encoding.UTF8.GetBytes(Key(i)), out _);
                }
            });
            step("enumerate", () => _ = map.Take(1000).Count());
            step("insert", () =>
            {
                map.Insert(Key(3), 33);
                map.Insert(Key(300), 1);
                map.TryAdd(Key(301), 2);
                map.AddOrUpdate(Key(4), 1, v => v + 1);
            });
        }
    }
}
