using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

/// <summary>
/// Threads × operation mix × key sharing, started together, each with its own seeded random; one check of
/// the global invariants at the end: count, no duplicate keys, every value whole.
/// </summary>
public sealed class SeqMapConcurrencyTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int, string, bool> Grid()
    {
        var data = new TheoryData<int, string, bool>();
        foreach (int threads in new[] { 2, 4 })
        {
            foreach (string mix in new[] { "read-mostly", "write-heavy", "churn" })
            {
                foreach (bool colliding in new[] { false, true })
                {
                    data.Add(threads, mix, colliding);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void InvariantsHoldUnderConcurrentUse(int threads, string mix, bool colliding)
    {
        const int keysPerThread = 512;
        string name = $"grid-{threads}-{mix}-{colliding}";
        using var map = SeqMap<long, Whole4>.Create(name, threads * keysPerThread, _dir.Options);
        int operations = Stress.Pick(20_000, 1_000_000);
        long torn = 0;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            var random = new Random(t + 1);
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                long key = colliding ? random.Next(keysPerThread) : (t * keysPerThread) + random.Next(keysPerThread);
                int dice = random.Next(100);
                int reads = mix == "read-mostly" ? 90 : mix == "write-heavy" ? 20 : 40;
                if (dice < reads)
                {
                    if (map.TryGetValue(key, out Whole4 value) && !value.IsWhole)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
                else if (mix == "churn" && dice < reads + 30)
                {
                    map.TryRemove(key, out Whole4 removed);
                    if (removed != default && !removed.IsWhole)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
                else if (dice % 2 == 0)
                {
                    map.Insert(key, Whole4.Of(random.NextInt64()));
                }
                else
                {
                    map.TryAdd(key, Whole4.Of(random.NextInt64()));
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        long enumerated = 0;
        var enumerator = Task.Factory.StartNew(() =>
        {
            while (!workers.All(w => w.IsCompleted))
            {
                foreach (var entry in map)
                {
                    enumerated++;
                    if (!entry.Value.IsWhole)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            Task.WaitAll(workers);
        }
        finally
        {
            enumerator.Wait(); // it ends with the workers; the map must outlive it
        }

        Assert.Equal(0, torn);
        var entries = map.ToList();
        Assert.Equal(entries.Count, map.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.All(entries, e => Assert.True(e.Value.IsWhole));
        foreach (var entry in entries)
        {
            Assert.Equal(entry.Value, map[entry.Key]);
        }
        CheckReport report = MapInspector.Check(name, _dir.Options);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void ConcurrentAddsOfTheSameKeysMakeOneEntryEach()
    {
        using var map = SeqMap<long, long>.Create("same-keys", 4096, _dir.Options);
        int threads = 4;
        long[] added = new long[threads];
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            start.SignalAndWait();
            for (long key = 0; key < 3000; key++)
            {
                added[t] += map.TryAdd(key, t) ? 1 : 0;
            }
        });
        Assert.Equal(3000, added.Sum());
        Assert.Equal(3000, map.Count);
        Assert.Equal(3000, map.Select(e => e.Key).Distinct().Count());
    }
}
