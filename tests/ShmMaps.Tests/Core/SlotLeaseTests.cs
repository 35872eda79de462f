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
