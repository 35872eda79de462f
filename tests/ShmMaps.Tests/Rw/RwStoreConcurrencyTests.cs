using System.Collections.Concurrent;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Rw;

/// <summary>Threads of one process reading, writing, inserting and removing: every value whole, every count exact.</summary>
public sealed class RwStoreConcurrencyTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(2, 4)]
    [InlineData(4, 4)]
    [InlineData(4, 1000)]
    public void ReadersWritersInsertersAndRemoversKeepEveryValueWhole(int threads, int sharedElements)
    {
        using var store = RwStore<Whole4>.Create($"grid-{threads}-{sharedElements}", _dir.Options);
        ShmId[] shared = Enumerable.Range(0, sharedElements).Select(i => store.Insert(Whole4.Of(i))).ToArray();
        long[] increments = new long[sharedElements];
        int steps = Stress.Pick(20_000, 400_000);
        var owned = new ConcurrentBag<ShmId>();
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(1000 + t);
            var mine = new List<ShmId>();
            start.SignalAndWait();
            for (int step = 0; step < steps && failures.IsEmpty; step++)
            {
                int pick = random.Next(sharedElements);
                switch (random.Next(10))
                {
                    case < 5:
                        if (!store.TryRead(shared[pick], out ReadLock<Whole4> reader))
                        {
                            failures.Enqueue($"read of live {shared[pick]} failed");
                            break;
                        }
                        if (!reader.Value.IsWhole)
                        {
                            failures.Enqueue($"torn read {reader.Value}");
                        }
                        reader.Dispose();
                        break;
                    case < 8:
                        if (!store.TryWrite(shared[pick], out WriteLock<Whole4> writer))
                        {
                            failures.Enqueue($"write of live {shared[pick]} failed");
                            break;
                        }
                        Whole4.WriteWordByWord(ref writer.Value, Whole4.Of(writer.Value.A + 1));
                        writer.Dispose();
                        Interlocked.Increment(ref increments[pick]);
                        break;
                    case 8:
                        mine.Add(store.Insert(Whole4.Of(-step)));
                        break;
                    default:
                        if (mine.Count > 0)
                        {
                            int at = random.Next(mine.Count);
                            if (!store.TryRemove(mine[at], out Whole4 removed) || !removed.IsWhole)
                            {
                                failures.Enqueue($"remove of {mine[at]} gave {removed}");
                            }
                            Assert.False(store.TryRead(mine[at], TimeSpan.Zero, out _));
                            mine.RemoveAt(at);
                        }
                        break;
                }
            }
            foreach (ShmId id in mine)
            {
                owned.Add(id);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        for (int i = 0; i < sharedElements; i++)
        {
            Assert.True(store.TryRead(shared[i], TimeSpan.Zero, out ReadLock<Whole4> guard));
            Assert.Equal(Whole4.Of(i + increments[i]), guard.Value);
            guard.Dispose();
        }
        Assert.Equal(owned.Count, owned.Distinct().Count());
        Assert.Equal(sharedElements + owned.Count, MapInspector.Describe(store.Name, _dir.Options).Count);
        CheckReport report = MapInspector.Check(store.Name, _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Empty(report.Notes);
    }
}
