using System.Diagnostics;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Striped;

/// <summary>Processes updating shared stripes, and processes killed while holding them.</summary>
public sealed class StripedCrossProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TwoProcessesDoingPlusWithLocksInOppositeOrdersEndExact()
    {
        using var map = StripedMap<long, long>.Create("plus", 100, _dir.Options);
        map[1] = 0;
        map[2] = 1;
        int rounds = Stress.Pick(5_000, 200_000);
        using var first = ChildProcess.Start("striped-plus", _dir.Path, "plus", 1, 2, rounds);
        using var second = ChildProcess.Start("striped-plus", _dir.Path, "plus", 2, 1, rounds);
        foreach (ChildProcess child in new[] { first, second })
        {
            child.WaitFor("done");
            Assert.Equal(0, child.WaitForExit());
        }
        Assert.Equal(2L * rounds, map[1]);
        Assert.Equal(1, map[2]);
    }

    [Fact]
    public void AddOrUpdateFromSeveralProcessesIsExact()
    {
        const long keys = 50;
        int steps = Stress.Pick(20_000, 500_000);
        using var map = StripedMap<long, long>.Create("adds", keys, _dir.Options);
        var children = Enumerable.Range(0, 3).Select(_ => ChildProcess.Start("striped-add", _dir.Path, "adds", keys, steps)).ToList();
        foreach (ChildProcess child in children)
        {
            child.WaitFor("done");
            Assert.Equal(0, child.WaitForExit());
            child.Dispose();
        }
        for (long k = 0; k < keys; k++)
        {
            Assert.Equal(3 * steps / keys, map[k]);
        }
        Assert.Equal(keys, map.Count);
        Assert.True(MapInspector.Check("adds", _dir.Options).IsSound);
    }

    [Fact]
    public void AScopeKilledAfterDecidingIsFinishedByTheNextProcess()
    {
        using var map = StripedMap<long, long>.Create("decided", 100, stripeCount: 2, _dir.Options);
        map[1] = 100;
        map[2] = 0;
        using (var child = ChildProcess.Start("striped-decide", _dir.Path, "decided", 1, 2, 3))
        {
            child.WaitFor("decided");
            child.Kill();
        }
        var watch = Stopwatch.StartNew();
        Assert.Equal(95, map[1]);   // the reader recovers the stripe: the logged cells are written
        Assert.Equal(5, map[2]);
        Assert.Equal(1, map[3]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"finishing the dead scope took {watch.Elapsed}");
        Assert.Equal(3, map.Count);
        CheckReport report = MapInspector.Recover("decided", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AStripeOfAKilledHolderIsRecoveredWithinASecond()
    {
        using var map = StripedMap<long, long>.Create("held", 100, _dir.Options);
        map[1] = 1;
        map[2] = 2;
        using (var holder = ChildProcess.Start("striped-hold", _dir.Path, "held", 1, 2))
        {
            holder.WaitFor("locked");
            MapDescription held = MapInspector.Describe("held", _dir.Options);
            Assert.Contains($"by pid {holder.Pid} (live", held.Details["stripes locked"]);
            var quick = new ShmOptions { Directory = _dir.Path, LockTimeout = TimeSpan.FromMilliseconds(200) };
            using (var impatient = StripedMap<long, long>.Open("held", quick))
            {
                Assert.Throws<TimeoutException>(() => impatient.Insert(1, 5)); // a live holder is never robbed
            }
            holder.Kill();
        }
        Assert.Contains("(dead", MapInspector.Describe("held", _dir.Options).Details["stripes locked"]);
        Assert.False(MapInspector.Check("held", _dir.Options).IsSound);
        var watch = Stopwatch.StartNew();
        using (KeyLock<long, long> scope = map.Lock(1, 2))
        {
            scope[1] += scope[2];
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"taking the dead holder's stripes took {watch.Elapsed}");
        Assert.Equal(3, map[1]);
        CheckReport report = MapInspector.Recover("held", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Equal("none", MapInspector.Describe("held", _dir.Options).Details["stripes locked"]);
    }

    [Fact]
    public void HoldersKilledInsideAKeyLockScopeLeaveItAllOrNothing()
    {
        using var map = StripedMap<long, Whole4>.Create("transfers", 100, stripeCount: 4, _dir.Options);
        map[1] = Whole4.Of(1_000_000);
        map[2] = Whole4.Of(0);
        int rounds = Stress.Pick(6, 100);
        var random = new Random(5);
        for (int round = 0; round < rounds; round++)
        {
            using (var forward = ChildProcess.Start("striped-transfer", _dir.Path, "transfers", 1, 2))
            using (var backward = ChildProcess.Start("striped-transfer", _dir.Path, "transfers", 2, 1))
            {
                forward.WaitFor("ready");
                backward.WaitFor("ready");
                Thread.Sleep(random.Next(10, 80));
                forward.Kill();
                backward.Kill();
            }
            var watch = Stopwatch.StartNew();
            using (KeyLock<long, Whole4> scope = map.Lock(1, 2))
            {
                Whole4 one = scope[1], two = scope[2];
                Assert.True(one.IsWhole && two.IsWhole, $"round {round}: torn entry {one} / {two}");
                // A scope reaches the map whole or not at all, wherever the kill landed.
                Assert.Equal(1_000_000, one.A + two.A);
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"round {round}: recovery took {watch.Elapsed}");
            CheckReport report = MapInspector.Check("transfers", _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            Assert.Equal(2, map.Count);
        }
    }
}
