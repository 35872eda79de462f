using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>Writer lanes and reader slots are leased to threads: a thread that ends gives its lease back to the handle.</summary>
public sealed class SlotLeaseTests : IDisposable
{
    private const int Threads = 6;

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnEndedWriterThreadsLaneServesTheNextThread()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 2 };
        using var map = SeqMap<long, long>.Create("lanes", 100, options);
        for (int i = 0; i < Threads; i++)
        {
            int key = i;
            Assert.Null(RunOnEndedThread(() => map[key] = key));
        }
        Assert.Equal(Threads, map.Count);
    }

    [Fact]
    public void AnEndedReaderThreadsSlotServesTheNextThread()
    {
        var options = new ShmOptions { Directory = _dir.Path, ReaderSlots = 2 };
        using var writer = LeftRightMap.CreateWriter<long, long>("slots", 10, options);
        using var reader = LeftRightMap.OpenReader<long, long>("slots", options);
        for (int i = 0; i < Threads; i++)
        {
            Assert.Null(RunOnEndedThread(() => reader.Guard().Dispose()));
        }
    }

    [Fact]
    public void AGuardOfADisposedReaderEndsWithoutTouchingItsSlot()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("after", 10, _dir.Options);
        var reader = LeftRightMap.OpenReader<long, long>("after", _dir.Options);
        ReadGuard<long, long> guard = reader.Guard();
        reader.Dispose();
        guard.Dispose(); // its slot was released with the reader: nothing left to end
        Assert.True(MapInspector.Check("after", _dir.Options).IsSound);
    }

    [Fact]
    public void ThreadsComingAndGoingShareFewLanesAndSlotsWhileTheyWork()
    {
        // Many more threads than lanes and slots over the test, fewer alive at once, and no collection in between (a
        // program that allocates little may not collect for minutes): the slots of ended threads must come back
        // without their leases' finalizers, when the table runs out.
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4, ReaderSlots = 4 };
        using var map = SeqMap<long, long>.Create("churn", 1000, options);
        using var writer = LeftRightMap.CreateWriter<long, long>("churn-lr", 100, options);
        using var reader = LeftRightMap.OpenReader<long, long>("churn-lr", options);
        int waves = Stress.Enabled ? 200 : 25;
        for (int wave = 0; wave < waves; wave++)
        {
            var threads = new Thread[3];
            var failures = new Exception?[threads.Length];
            for (int t = 0; t < threads.Length; t++)
            {
                int index = t;
                long key = (wave * threads.Length) + t;
                threads[t] = new Thread(() => failures[index] = Record.Exception(() =>
                {
                    map[key % 1000] = key;
                    using ReadGuard<long, long> guard = reader.Guard();
                    _ = guard.Count;
                }));
                threads[t].Start();
            }
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
            Assert.All(failures, Assert.Null);
        }
        Assert.Equal(Math.Min(1000, waves * 3), map.Count);
        reader.Dispose(); // its four slots, pooled, stay its own until then
        Assert.True(MapInspector.Check("churn", _dir.Options).IsSound);
        Assert.True(MapInspector.Check("churn-lr", _dir.Options).IsSound);
    }

    /// <summary>Runs <paramref name="action"/> on a thread that then ends, and lets the collector see it ended.</summary>
    private static Exception? RunOnEndedThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() => failure = Record.Exception(action));
        thread.Start();
        thread.Join();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return failure;
    }
}
