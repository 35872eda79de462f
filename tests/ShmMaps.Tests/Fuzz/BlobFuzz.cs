namespace ShmMaps.Tests.Fuzz;

internal sealed class BlobFuzz : FuzzKind
{
    public override string Name => "BlobMap";

    public override string SomeKey => Key(1);

    private static string Key(int i) => i % 3 == 0 ? $"a-longer-key-of-a-document-{i}" : $"key-{i}";

    private static byte[] Value(int i) => new byte[(i % 3) * 40];

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var map = BlobMap.Create(name, 64, options);
        for (int i = 0; i < 40; i++)
        {
            map.Set(Key(i), Value(i));
        }
        for (int i = 0; i < 40; i += 4)
        {
            map.Set(Key(i), Value(i + 1)); // blocks on the free lists
        }
        map.TryRemove(Key(5));
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        BlobMap? map = null;
        step("open", () => map = BlobMap.Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => _ = map.Count);
            step("get", () =>
            {
                var writer = new System.Buffers.ArrayBufferWriter<byte>();
                for (int i = 0; i < 48; i++)
                {
                    map.TryGetValue(Key(i), out _);
                    map.TryGetValue(System.Text.Encoding.UTF8.GetBytes(Key(i)), writer);
                }
            });
            step("set", () =>
            {
                map.Set(Key(3), Value(4));
                map.Set(Key(300), new byte[5000]);
                map.Set(Key(301), []);
            });
            step("remove", () =>
            {
                map.TryRemove(Key(2));
                map.TryRemove(Key(999));
            });
            step("grow", () =>
            {
                for (int i = 1000; i < 1400; i++)
                {
                    map.Set(Key(i), Value(i));
                }
            });
        }
    }
}
