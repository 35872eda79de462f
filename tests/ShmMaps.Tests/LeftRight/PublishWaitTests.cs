using System.Diagnostics;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

/// <summary>A reader waiting for the next publish: parked, not polling; woken by a writer of another process, by its timeout, by cancellation, by its handle's disposal.</summary>
public sealed class PublishWaitTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AWriterInAnotherProcessWakesAParkedReaderAtItsPublish()
    {
        LeftRightMap.CreateWriter<long, long>("waited", 100, _dir.Options).Dispose();
        using var reader = LeftRightMap.OpenReader<long, long>("waited", _dir.Options);
        for (int round = 0; round < 3; round++)
        {
            ulong seen = reader.PublishSequence;
            Task<bool> waiting = Task.Run(() => reader.WaitForPublish(seen, TimeSpan.FromMinutes(1)));
            Thread.Sleep(200); // parked by now
            Assert.False(waiting.IsCompleted);
            using ChildProcess writer = ChildProcess.Start("leftright-publish", _dir.Path, "waited", 4, 1);
            Assert.Equal("ready", writer.ReadLine());
            Assert.Equal("done", writer.ReadLine()); // published
            // Woken by the publish, not by the end of its park (five seconds at a time, begun before the child started).
            Assert.True(waiting.Wait(TimeSpan.FromSeconds(2)), "the waiter was not woken by the publish");
            Assert.True(waiting.Result);
            Assert.True(reader.PublishSequence > seen);
        }
    }

    [Fact]
    public async Task TheAsyncWaitCompletesWithTheNewSequenceAndCancellationEndsIt()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("async", 100, _dir.Options);
        using var reader = LeftRightMap.OpenReader<long, long>("async", _dir.Options);
        ulong seen = reader.PublishSequence;
        Task<ulong> next = reader.WaitForPublishAsync(seen);
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            guard.Insert(1, 1);
        }
        Assert.Equal(seen + 1, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(seen + 1, await reader.WaitForPublishAsync(seen)); // already past: at once

        using var cancel = new CancellationTokenSource();
        Task<ulong> cancelled = reader.WaitForPublishAsync(seen + 1, cancel.Token);
        await Task.Delay(100);
        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {clock.Elapsed}");
    }

    [Fact]
    public void ATimeoutEndsAWaitAndDisposalWakesAndTellsAWaiter()
    {
        LeftRightMap.CreateWriter<long, long>("idle", 100, _dir.Options).Dispose();
        var reader = LeftRightMap.OpenReader<long, long>("idle", _dir.Options);
        ulong seen = reader.PublishSequence;
        var clock = Stopwatch.StartNew();
        Assert.False(reader.WaitForPublish(seen, TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(20));
        Assert.True(reader.WaitForPublish(seen - 1, TimeSpan.Zero)); // already past
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.WaitForPublish(seen, TimeSpan.FromSeconds(-2)));

        Task<bool> waiting = Task.Run(() => reader.WaitForPublish(seen, Timeout.InfiniteTimeSpan));
        Thread.Sleep(200);
        Assert.Equal("1 thread(s)", ShmMaps.Inspection.MapInspector.Describe("idle", _dir.Options).Details["waiting for a publish"]); // shm info
        reader.Dispose(); // returns once the waiter has left the mapping
        Assert.IsType<ObjectDisposedException>(Assert.Throws<AggregateException>(() => waiting.Wait(TimeSpan.FromSeconds(30))).InnerException);
    }
}
