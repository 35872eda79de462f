using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

/// <summary>Threads of one process racing on the same keys: counts end exact and a key is added once.</summary>
public sealed class FolkloreConcurrencyTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ThreadsAddingTheSameNewKeysEndWithOneEntryEach()
    {
        const int keys = 2000;
        using var map = FolkloreMap<int>.Create("race", keys, _dir.Options);
        int threads = Math.Max(4, Environment.ProcessorCount);
        int[] added = new int[keys];
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            start.SignalAndWait();
            for (int i = 0; i < keys; i++)
            {
                int key = (i * 7 + t) % keys; // overlapping orders: threads meet on the same empty cells
                if (map.TryAdd($"key-{key}", t))
                {
                    Interlocked.Increment(ref added[key]);
                }
            }
        });
        Assert.All(added, a => Assert.Equal(1, a));
        Assert.Equal(keys, map.Count);
        CheckReport report = MapInspector.Check("race", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void ConcurrentIncrementsAreExact()
    {
        const int keys = 50;
        using var map = FolkloreMap<int>.Create("counts", keys, _dir.Options);
        int threads = 4;
        int perThread = Stress.Pick(20_000, 1_000_000);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                map.AddOrUpdate($"c{(i + t) % keys}", 1, static v => v + 1);
            }
        });
        Assert.Equal((long)threads * perThread, map.Sum(p => (long)p.Value));
        Assert.All(map, p => Assert.Equal(threads * perThread / keys, p.Value));
    }

    [Fact]
    public void ReadersNeverSeeAHalfAddedKey()
    {
        const int keys = 3000;
        using var map = FolkloreMap<int>.Create("readers", keys, _dir.Options);
        long wrong = 0;
        var random = new Random(1);
        using var reader = BackgroundLoop.Start(() =>
        {
            int key = random.Next(keys);
            if (map.TryGetValue($"k{key}", out int value) && value != key)
            {
                Interlocked.Increment(ref wrong);
            }
        });
        for (int key = 0; key < keys; key++)
        {
            map.Insert($"k{key}", key);
        }
        reader.Dispose();
        Assert.Equal(0, wrong);
    }
}
