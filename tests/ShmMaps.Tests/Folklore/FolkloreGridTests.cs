using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

/// <summary>
/// A grid over thread count, operation mix and key sharing: at the end no key is stored twice, the count
/// matches the entries, disjoint keys hold their thread's last write, and the map checks sound.
/// </summary>
public sealed class FolkloreGridTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(2, false, 0.5)]
    [InlineData(4, true, 0.5)]
    [InlineData(4, true, 0.2)]
    [InlineData(8, false, 0.8)]
    public void KeysStayUniqueAndTheLastWritesHold(int threads, bool sharedKeys, double insertShare)
    {
        const int keysPerThread = 16;
        using var map = FolkloreMap<int>.Create("grid", threads * keysPerThread, _dir.Options);
        int operations = Stress.Pick(20_000, 500_000);
        var lastWrite = new Dictionary<string, int?>[threads];
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var random = new Random(t + 7);
            var mine = new Dictionary<string, int?>();
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                int k = sharedKeys ? random.Next(keysPerThread) : (t * keysPerThread) + random.Next(keysPerThread);
                string key = k % 3 == 0 ? $"schlüssel-{k}" : $"key-{k}-{new string('x', k % 50)}"; // inline and long keys
                double p = random.NextDouble();
                if (p < insertShare)
                {
                    map.Insert(key, i);
                    mine[key] = i;
                }
                else if (p < insertShare + ((1 - insertShare) / 2))
                {
                    map.TryRemove(key, out _);
                    mine[key] = null;
                }
                else
                {
                    map.AddOrUpdate(key, 1, static v => v + 1);
                    mine.Remove(key); // depends on the value before: not tracked
                }
            }
            lastWrite[t] = mine;
        });

        var entries = map.ToList();
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.Equal(entries.Count, map.Count);
        Assert.True(map.Keys.SlotsUsed <= map.KeySlotCount);
        if (!sharedKeys)
        {
            foreach (KeyValuePair<string, int?> last in lastWrite.SelectMany(d => d))
            {
                Assert.Equal(last.Value, map.Get(last.Key));
            }
        }
        CheckReport report = MapInspector.Check("grid", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }
}
