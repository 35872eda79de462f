namespace ShmMaps.Tests.Fuzz;

internal sealed class LeftRightFuzz : FuzzKind
{
    public override string Name => "LeftRightMap";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var writer = LeftRightMap.CreateWriter<long, long>(name, 64, options);
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            for (long key = 0; key < 40; key++)
            {
                guard.Insert(key, key * 10);
            }
        }
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            guard.Remove(7);
        }
        using var reader = LeftRightMap.OpenReader<long, long>(name, options);
        using ReadGuard<long, long> read = reader.Guard();
        read.TryGetValue(1, out _);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        LeftRightReader<long, long>? reader = null;
        step("open reader", () => reader = LeftRightMap.OpenReader<long, long>(name, options));
        if (reader is not null)
        {
            using (reader)
            {
                step("read", () =>
                {
                    using ReadGuard<long, long> guard = reader.Guard();
                    for (long key = 0; key < 48; key++)
                    {
                        guard.TryGetValue(key, out _);
                    }
                    _ = guard.Count;
                    _ = guard.Take(1000).Count();
                });
            }
        }
        LeftRightWriter<long, long>? writer = null;
        step("open writer", () => writer = LeftRightMap.OpenWriter<long, long>(name, options));
        if (writer is null)
        {
            return;
        }
        using (writer)
        {
            step("write", () =>
            {
                using WriteGuard<long, long> guard = writer.Guard();
                guard.Insert(3, 33);
                guard.Insert(1000, 1);
                guard.Remove(5);
                guard.Replace(4, v => v + 1);
                _ = guard.Get(6);
                _ = guard.Count;
            });
            step("census", () => writer.ReaderSlots());
        }
    }
}
