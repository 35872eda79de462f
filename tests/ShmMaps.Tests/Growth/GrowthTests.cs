using ShmMaps.Inspection;
using ShmMaps.Tables;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Growth;

/// <summary>
/// What every kind that grows by doubling its table must do (each kind's class runs these, and its own): a map
/// created small grows while threads and processes use it, every key stays findable, counts stay exact, a writer
/// killed mid-migration leaves a map the others finish, and memory follows the entries.
/// </summary>
public abstract class GrowthTests(GrowingKind kind, ITestOutputHelper output) : IDisposable
{
    protected TempMapDirectory Dir { get; } = new();

    protected ITestOutputHelper Output => output;

    public void Dispose() => Dir.Dispose();

    [Fact]
    public void AMapCreatedSmallGrowsAndKeepsEveryKey()
    {
        const long keys = 100_000;
        using IGrowingMap map = kind.Create("grow", 16, Dir.Options);
        for (long i = 0; i < keys; i++)
        {
            map.Insert(i);
        }
        Assert.True(map.Generation >= 10, $"generation {map.Generation}");
        Assert.Equal(keys, map.Count);
        for (long i = 0; i < keys; i++)
        {
            Assert.True(map.TryGet(i, out long value), $"key {i} is missing");
            Assert.Equal(map.ValueOf(i), value);
        }
        Assert.Equal(keys, map.Enumerated());
        for (long i = 0; i < keys; i += 2)
        {
            Assert.True(map.TryRemove(i, out long value));
            Assert.Equal(map.ValueOf(i), value);
        }
        Assert.Equal(keys / 2, map.Count);
        Assert.False(map.TryGet(0, out _));
        Assert.True(map.TryGet(1, out long one));
        Assert.Equal(map.ValueOf(1), one);
        map.Insert(0); // a removed key comes back
        Assert.Equal(keys / 2 + 1, map.Count);
        CheckReport report = MapInspector.Check("grow", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void ReadersFindEveryKeyInsertedBeforeTheyLookWhileTheMapGrows()
    {
        long keys = Stress.Pick(quick: 200_000, full: 4_000_000);
        using IGrowingMap map = kind.Create("readers", 4, Dir.Options);
        long inserted = 0;
        long missed = 0;
        long wrong = 0;
        long lookups = 0;
        var readers = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            while (Volatile.Read(ref inserted) < keys)
            {
                long upTo = Volatile.Read(ref inserted); // every key below was inserted before this lookup began
                if (upTo == 0)
                {
                    continue;
                }
                long i = random.NextInt64(upTo);
                if (!map.TryGet(i, out long value))
                {
                    Interlocked.Increment(ref missed);
                }
                else if (value != map.ValueOf(i))
                {
                    Interlocked.Increment(ref wrong);
                }
                Interlocked.Increment(ref lookups);
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (long i = 0; i < keys; i++)
        {
            map.Insert(i);
            Volatile.Write(ref inserted, i + 1);
        }
        readers.ForEach(t => t.Join());
        Assert.Equal(0, missed);
        Assert.Equal(0, wrong);
        Assert.True(lookups > 0);
        Assert.Equal(keys, map.Count);
    }

    [Fact]
    public void AHandleThatLastLookedBeforeTheMapGrewSeesWritesMadeSince()
    {
        using IGrowingMap stale = kind.Create("stale", 16, Dir.Options);
        for (long i = 0; i < 8; i++)
        {
            stale.Insert(i);
        }
        for (long i = 0; i < 8; i++)
        {
            Assert.True(stale.TryGet(i, out _)); // this handle's view is the first table
        }
        using (IGrowingMap other = kind.Open("stale", Dir.Options))
        {
            for (long i = 8; i < 20_000; i++)
            {
                other.Insert(i);
            }
            Assert.True(other.Generation >= 8, $"generation {other.Generation}");
            for (long i = 0; i < 8; i++)
            {
                Assert.True(other.TryRemove(i, out _)); // in the newest table; the first one still holds the keys' old entries
            }
        }
        for (long i = 0; i < 8; i++)
        {
            Assert.False(stale.TryGet(i, out _), $"key {i} was removed after the map grew, yet found");
        }
        Assert.True(stale.TryGet(8, out long value));
        Assert.Equal(stale.ValueOf(8), value);
    }

    [Fact]
    public void ProcessesGrowTheMapTogether()
    {
        const long perProcess = 40_000;
        using IGrowingMap map = kind.Create("together", 16, Dir.Options);
        using var acked = SeqArray<long>.Create("together-acked", 1, Dir.Options);
        using (var first = ChildProcess.Start(kind.ChildRole, Dir.Path, "together", 0, perProcess))
        using (var second = ChildProcess.Start(kind.ChildRole, Dir.Path, "together", perProcess, 2 * perProcess))
        {
            first.WaitFor("ready");
            second.WaitFor("ready");
            for (long i = 2 * perProcess; i < 2 * perProcess + 10_000; i++)
            {
                map.Insert(i); // this process grows it too
            }
            first.WaitFor("done");
            second.WaitFor("done");
        }
        long all = 2 * perProcess + 10_000;
        Assert.Equal(all, map.Count);
        for (long i = 0; i < all; i++)
        {
            Assert.True(map.TryGet(i, out long value), $"key {i} is missing");
            Assert.Equal(map.ValueOf(i), value);
        }
        Assert.Equal(all, map.Enumerated());
        CheckReport report = MapInspector.Check("together", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AWriterKilledMidMigrationLeavesAMapTheOthersFinish()
    {
        int rounds = Stress.Pick(quick: 6, full: 200);
        var random = new Random(11);
        int killedMidMigration = 0;
        // Half the rounds kill at a random instant, half as soon as a migration is seen under way; more rounds while
        // no kill has landed mid-migration yet (where one lands is chance).
        for (int round = 0; round < rounds || (killedMidMigration == 0 && round < 5 * rounds); round++)
        {
            string name = $"killed{round}";
            using IGrowingMap map = kind.Create(name, 16, Dir.Options);
            using var acked = SeqArray<long>.Create(name + "-acked", 1, Dir.Options);
            using (var writer = ChildProcess.Start(kind.ChildRole, Dir.Path, name, 0, 100_000_000))
            {
                writer.WaitFor("ready");
                killedMidMigration += MigrationKill.Kill(writer, name, Dir.Options, random, round) ? 1 : 0;
            }
            long done = acked[0];
            // Every acknowledged insert is there, whatever the kill interrupted; at most the one in flight is extra.
            Assert.InRange(map.Count, done, done + 1);
            CheckReport report = MapInspector.Recover(name, Dir.Options);
            if (!report.IsSound)
            {
                var missing = Enumerable.Range(0, (int)done + 1).Where(i => !map.TryGet(i, out _)).Take(5).ToList();
                Assert.Fail($"round {round}: {string.Join("; ", report.Problems)} ({done} acknowledged, the map counts {map.Count}, " +
                    $"generation {map.Generation}, keys not found below {done + 1}: {string.Join(", ", missing)})");
            }
            for (long i = 0; i < done; i++)
            {
                Assert.True(map.TryGet(i, out long value), $"round {round}: acknowledged key {i} of {done} is missing");
                Assert.Equal(map.ValueOf(i), value);
            }
            // This process finishes any migration the writer left, and grows the map on.
            for (long i = done; i < done + 20_000; i++)
            {
                map.Insert(i);
            }
            if (map.Count != done + 20_000 || map.Enumerated() != done + 20_000)
            {
                report = MapInspector.Check(name, Dir.Options);
                Assert.Fail($"round {round}: {done} keys acknowledged, {done + 20_000} after this process's: the map counts {map.Count} and " +
                    $"enumerates {map.Enumerated()} (generation {map.Generation}; check: {string.Join("; ", report.Problems)})");
            }
            report = MapInspector.Check(name, Dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            kind.Delete(name, Dir.Options); // the memory goes when this round's handles close: 200 rounds' maps would fill the tmpfs
            SeqArray<long>.Delete(name + "-acked", Dir.Options);
        }
        output.WriteLine($"{killedMidMigration} kills landed mid-migration");
        Assert.True(killedMidMigration > 0, "no kill landed during a migration");
    }

    [Fact]
    public void AGrownMapGivesBackTheTablesItGrewOutOf()
    {
        const long keys = 1_000_000;
        using (IGrowingMap fresh = kind.Create("fresh", keys, Dir.Options))
        {
            for (long i = 0; i < keys; i++)
            {
                fresh.Insert(i);
            }
        }
        using IGrowingMap grown = kind.Create("grown", 1000, Dir.Options);
        for (long i = 0; i < keys; i++)
        {
            grown.Insert(i);
        }
        // The last table grown out of goes back at a write once no handle reads it (writers look at most every 100 ms).
        Thread.Sleep(200);
        grown.Insert(0);
        MapDescription created = MapInspector.Describe("fresh", Dir.Options);
        MapDescription described = MapInspector.Describe("grown", Dir.Options);
        output.WriteLine($"grown {described.AllocatedBytes:N0} bytes in a file of {described.FileBytes:N0}, created for {keys:N0} {created.AllocatedBytes:N0} " +
            $"in {created.FileBytes:N0}: {(double)described.AllocatedBytes / created.AllocatedBytes:F2}");
        Assert.True(described.AllocatedBytes <= 1.5 * created.AllocatedBytes, $"grown {described.AllocatedBytes:N0} bytes, fresh {created.AllocatedBytes:N0}");
        // The file is as long as the tables it grew through (each old one a hole now): about twice the newest, never the largest it may grow to.
        Assert.True(described.FileBytes <= 2.5 * created.FileBytes, $"grown file {described.FileBytes:N0} bytes, fresh {created.FileBytes:N0}");
        Assert.Equal(keys, grown.Count);
        Assert.True(grown.TryGet(keys - 1, out long last));
        Assert.Equal(grown.ValueOf(keys - 1), last);
    }
}
