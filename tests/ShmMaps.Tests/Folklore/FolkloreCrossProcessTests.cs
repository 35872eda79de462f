using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

/// <summary>Several processes incrementing shared counters, and processes killed in the middle.</summary>
public sealed class FolkloreCrossProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CountersIncrementedByChildProcessesEndExact()
    {
        const int keys = 40;
        const int children = 3;
        int steps = Stress.Pick(20_000, 400_000);
        using var map = FolkloreMap<int>.Create("counters", keys, _dir.Options);
        var workers = Enumerable.Range(0, children).Select(_ => ChildProcess.Start("folklore-count", _dir.Path, "counters", "shared", keys, steps)).ToList();
        foreach (ChildProcess worker in workers)
        {
            worker.WaitFor("ready");
        }
        foreach (ChildProcess worker in workers)
        {
            worker.WaitFor("done");
            Assert.Equal(0, worker.WaitForExit());
            worker.Dispose();
        }
        Assert.Equal(keys, map.Count);
        for (int k = 0; k < keys; k++)
        {
            Assert.Equal(children * steps / keys, map[FolkloreChildRoles.CounterKey("shared", k, keys)]);
        }
        CheckReport report = MapInspector.Check("counters", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void KilledIncrementersLeaveCountersThatAPrefixOfTheirIncrementsExplains()
    {
        const int keys = 64;
        int rounds = Stress.Pick(6, 100);
        using var map = FolkloreMap<int>.Create("crash", rounds * 2 * keys, _dir.Options);
        var random = new Random(11);
        long incrementsSeen = 0;
        for (int round = 0; round < rounds; round++)
        {
            string[] prefixes = [$"r{round}a", $"r{round}b"];
            using (var first = ChildProcess.Start("folklore-count", _dir.Path, "crash", prefixes[0], keys, 0))
            using (var second = ChildProcess.Start("folklore-count", _dir.Path, "crash", prefixes[1], keys, 0))
            {
                first.WaitFor("ready");
                second.WaitFor("ready");
                Thread.Sleep(random.Next(0, 60)); // early kills land while keys are still being added
                first.Kill();
                Thread.Sleep(random.Next(0, 10));
                second.Kill();
            }
            foreach (string prefix in prefixes)
            {
                incrementsSeen += AssertPrefixExplains(map, prefix, keys, round);
            }
            CheckReport report = MapInspector.Check("crash", _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
        }
        Assert.True(incrementsSeen > 0, "no child got to increment before it was killed");
    }

    [Fact]
    public void KeyBytesOfAWriterKilledBeforeItsCasStayInvisibleAndAreReportedReclaimable()
    {
        using var map = FolkloreMap<int>.Create("orphan", 10, _dir.Options);
        map.Insert("kept", 1);
        using (var child = ChildProcess.Start("folklore-orphan", _dir.Path, "orphan", "never-added"))
        {
            child.WaitFor("ready");
            CheckReport live = MapInspector.Check("orphan", _dir.Options);
            Assert.Contains(live.Notes, n => n.Contains("being added by live writers", StringComparison.Ordinal));
            child.Kill();
        }
        Assert.False(map.ContainsKey("never-added"));
        Assert.Equal(1, map.Count);
        CheckReport report = MapInspector.Check("orphan", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Contains(report.Notes, n => n.StartsWith("1 key slot(s) with 11 key bytes", StringComparison.Ordinal) && n.Contains("reclaimable", StringComparison.Ordinal));
        Assert.StartsWith("1 no entry names, holding 11 key bytes", MapInspector.Describe("orphan", _dir.Options).Details["wasted key slots"]);

        map.Insert("never-added", 2); // the key is added afresh, in a new slot
        Assert.Equal(2, map["never-added"]);
        Assert.True(MapInspector.Check("orphan", _dir.Options).IsSound);
    }

    /// <summary>A child increments key (step mod keys) in order, so after n steps the counters are n/keys + 1 for the first n mod keys keys and n/keys after.</summary>
    private static long AssertPrefixExplains(FolkloreMap<int> map, string prefix, int keys, int round)
    {
        int[] counts = new int[keys];
        for (int k = 0; k < keys; k++)
        {
            counts[k] = map.Get(FolkloreChildRoles.CounterKey(prefix, k, keys)) ?? 0;
        }
        int full = counts[0];
        int boundary = Array.FindIndex(counts, c => c != full);
        if (boundary < 0)
        {
            return (long)full * keys;
        }
        for (int k = boundary; k < keys; k++)
        {
            Assert.True(counts[k] == full - 1, $"round {round}, {prefix}: counters [{string.Join(",", counts)}] are no prefix of the increments");
        }
        return ((long)full * boundary) + ((long)(full - 1) * (keys - boundary));
    }
}
