using System.Diagnostics;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

/// <summary>Writers and readers in child processes, killed with SIGKILL.</summary>
public sealed class LeftRightProcessTests : IDisposable
{
    private const long Keys = 32;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReaderProcessesNeverSeeAPartialBatchNorGoBackInTime()
    {
        long batches = Stress.Pick(2_000, 20_000);
        LeftRightMap.CreateWriter<long, long>("batches", 1000, _dir.Options).Dispose();
        using var reader1 = ChildProcess.Start("leftright-read", _dir.Path, "batches", Keys, batches);
        using var reader2 = ChildProcess.Start("leftright-read", _dir.Path, "batches", Keys, batches);
        reader1.WaitFor("ready");
        reader2.WaitFor("ready");
        using var writer = ChildProcess.Start("leftright-publish", _dir.Path, "batches", Keys, batches);
        // 20,000 batches under stress beside the rest of the suite take longer than one line's default 30 s.
        Assert.Equal("ready", writer.ReadLine());
        Assert.Equal("done", writer.ReadLine(TimeSpan.FromMinutes(5)));
        string result1 = reader1.ReadLine(TimeSpan.FromMinutes(1));
        string result2 = reader2.ReadLine(TimeSpan.FromMinutes(1));
        Assert.StartsWith("ok ", result1);
        Assert.StartsWith("ok ", result2);

        using var reader = LeftRightMap.OpenReader<long, long>("batches", _dir.Options);
        using var guard = reader.Guard();
        Assert.Null(LeftRightChildRoles.CheckSnapshot(guard, Keys, out long last));
        Assert.Equal(batches, last);
        Assert.Equal((ulong)batches, guard.Sequence);
    }

    [Fact]
    public void WriterKilledAnywhereIsTakenOverWithinASecondFromTheLastPublish()
    {
        LeftRightMap.CreateWriter<long, long>("takeover", 1000, _dir.Options).Dispose();
        using var reader = LeftRightMap.OpenReader<long, long>("takeover", _dir.Options);
        string? problem = null;
        using (var watcher = BackgroundLoop.Start(() =>
        {
            using ReadGuard<long, long> guard = reader.Guard();
            problem ??= LeftRightChildRoles.CheckSnapshot(guard, Keys, out _);
        }))
        {
            var random = new Random(5);
            int rounds = Stress.Pick(4, 40);
            for (int round = 0; round < rounds; round++)
            {
                using (var child = ChildProcess.Start("leftright-publish-forever", _dir.Path, "takeover", Keys))
                {
                    child.WaitFor("ready");
                    Thread.Sleep(random.Next(5, 60));
                    child.Kill();
                }
                var clock = Stopwatch.StartNew();
                using LeftRightWriter<long, long> writer = LeftRightMap.OpenWriter<long, long>("takeover", _dir.Options);
                using (WriteGuard<long, long> guard = writer.Guard())
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"takeover took {clock.Elapsed}");
                    using ReadGuard<long, long> published = reader.Guard();
                    Assert.Null(LeftRightChildRoles.CheckSnapshot(published, Keys, out long batch));
                    // The new writer starts from exactly what readers see: the last published batch.
                    Assert.Equal(published.Count, guard.Count);
                    Assert.Equal(batch == 0 ? null : batch, guard.Get(0));
                    Assert.Equal(published.Get(Keys), guard.Get(Keys));
                }
            }
        }
        Assert.Null(problem);
    }

    [Fact]
    public void ReaderKilledInsideAGuardNeverBlocksTheWriter()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("held", 1000, _dir.With(TimeSpan.FromMilliseconds(300)));
        LeftRightChildRoles.WriteBatch(writer, Keys, 1);
        using var child = ChildProcess.Start("leftright-hold-guard", _dir.Path, "held");
        Assert.Equal("ready 1", child.ReadLine());
        LeftRightChildRoles.WriteBatch(writer, Keys, 2); // the child's guard is now on the old copy

        // Alive, it is waited for, then named.
        var timeout = Assert.Throws<TimeoutException>(() => writer.Guard());
        Assert.Contains($"pid {child.Pid}", timeout.Message);

        child.Kill();
        var clock = Stopwatch.StartNew();
        LeftRightChildRoles.WriteBatch(writer, Keys, 3);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the writer waited {clock.Elapsed} for a dead reader");
        using var reader = LeftRightMap.OpenReader<long, long>("held", _dir.Options);
        using var guard = reader.Guard();
        Assert.Null(LeftRightChildRoles.CheckSnapshot(guard, Keys, out long batch));
        Assert.Equal(3, batch);
    }

    [Fact]
    public void ReaderSlotsAreBoundedAndDeadProcessesSlotsAreReclaimed()
    {
        var options = new ShmOptions { Directory = _dir.Path, ReaderSlots = 2 };
        using var writer = LeftRightMap.CreateWriter<long, long>("slots", 10, options);
        using var reader = LeftRightMap.OpenReader<long, long>("slots", options);
        using var child = ChildProcess.Start("leftright-hold-guard", _dir.Path, "slots");
        Assert.StartsWith("ready", child.ReadLine());
        using ReadGuard<long, long> mine = reader.Guard(); // the second slot

        Exception? full = RunOnNewThread(() => reader.Guard().Dispose());
        var error = Assert.IsType<ShmMapException>(full);
        Assert.Contains("all 2 reader slots", error.Message);

        child.Kill();
        Assert.Null(RunOnNewThread(() => reader.Guard().Dispose())); // the dead child's slot
    }

    private static Exception? RunOnNewThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() => failure = Record.Exception(action));
        thread.Start();
        thread.Join();
        return failure;
    }
}
