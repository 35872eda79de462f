using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Striped;

/// <summary>
/// A grid over thread count, operation mix and key sharing, on one stripe (every key collides) and on many:
/// at the end every value is whole, no key is stored twice, and the count matches the entries.
/// </summary>
public sealed class StripedConcurrencyTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(2, 1, false, 0.5)]
    [InlineData(4, 1, true, 0.5)]
    [InlineData(4, 0, true, 0.2)]
    [InlineData(4, 0, false, 0.8)]
    [InlineData(8, 16, true, 0.5)]
    public void EveryValueIsWholeAndTheCountExact(int threads, int stripes, bool sharedKeys, double insertShare)
    {
        const int keysPerThread = 8;
        using var map = StripedMap<long, Whole4>.Create("grid", threads * keysPerThread * 2, stripes, _dir.Options);
        int operations = Stress.Pick(20_000, 500_000);
        // Disjoint: thread t owns keys t*8 .. t*8+7, so its last write per key is the final state.
        var lastWrite = new Dictionary<long, long?>[threads];
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var random = new Random(t + 100);
            var mine = new Dictionary<long, long?>();
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                long key = sharedKeys ? random.Next(keysPerThread) : (t * keysPerThread) + random.Next(keysPerThread);
                long stamp = ((long)t << 32) | (uint)i;
                switch (random.NextDouble())
                {
                    case double p when p < insertShare:
                        map.Insert(key, Whole4.Of(stamp));
                        mine[key] = stamp;
                        break;
                    case double p when p < insertShare + ((1 - insertShare) / 2):
                        map.TryRemove(key, out Whole4 removed);
                        Assert.True(removed.IsWhole || removed == default);
                        mine[key] = null;
                        break;
                    default:
                        map.AddOrUpdate(key, Whole4.Of(stamp), (_, v) => Whole4.Of(v.A + 1));
                        mine.Remove(key); // the result depends on the value before: not tracked
                        break;
                }
            }
            lastWrite[t] = mine;
        });

        var entries = map.ToList();
        Assert.All(entries, e => Assert.True(e.Value.IsWhole, $"key {e.Key} holds a torn value"));
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.Equal(entries.Count, map.Count);
        if (!sharedKeys)
        {
            foreach (KeyValuePair<long, long?> last in lastWrite.SelectMany(d => d))
            {
                Assert.Equal(last.Value, map.TryGetValue(last.Key, out Whole4 value) ? value.A : null);
            }
        }
        CheckReport report = MapInspector.Check("grid", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }
}
