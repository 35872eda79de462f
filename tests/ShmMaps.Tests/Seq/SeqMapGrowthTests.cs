using ShmMaps.Inspection;
using ShmMaps.Seq;
using ShmMaps.Tables;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Seq;

/// <summary>
/// A SeqMap created small grows while threads and processes use it: every key stays findable, counts stay exact,
/// a writer killed mid-migration leaves a map the others finish, and memory follows the entries.
/// </summary>
public sealed class SeqMapGrowthTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AMapCreatedSmallGrowsAndKeepsEveryKey()
    {
        const long keys = 100_000;
        using var map = SeqMap<long, long>.Create("grow", 16, _dir.Options);
        long firstCells = map.CellCount;
        for (long key = 0; key < keys; key++)
        {
            map.Insert(key, key * 10);
        }
        Assert.True(map.CellCount >= keys * 2, $"{map.CellCount} cells for {keys} keys");
        Assert.True(map.Generation >= 10, $"generation {map.Generation} from {firstCells} cells");
        Assert.Equal(keys, map.Count);
        for (long key = 0; key < keys; key++)
        {
            Assert.Equal(key * 10, map[key]);
        }
        Assert.Equal(keys, map.Count());
        for (long key = 0; key < keys; key += 2)
        {
            Assert.True(map.TryRemove(key, out long value));
            Assert.Equal(key * 10, value);
        }
        Assert.Equal(keys / 2, map.Count);
        Assert.False(map.ContainsKey(0));
        Assert.Equal(10, map[1]);
        CheckReport report = MapInspector.Check("grow", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void ReadersFindEveryKeyInsertedBeforeTheyLookWhileTheMapGrows()
    {
        long keys = Stress.Pick(quick: 200_000, full: 4_000_000);
        using var map = SeqMap<long, long>.Create("readers", 4, _dir.Options);
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
                long key = random.NextInt64(upTo);
                if (!map.TryGetValue(key, out long value))
                {
                    Interlocked.Increment(ref missed);
                }
                else if (value != key * 10)
                {
                    Interlocked.Increment(ref wrong);
                }
                Interlocked.Increment(ref lookups);
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (long key = 0; key < keys; key++)
        {
            map.Insert(key, key * 10);
            Volatile.Write(ref inserted, key + 1);
        }
        readers.ForEach(t => t.Join());
        Assert.Equal(0, missed);
        Assert.Equal(0, wrong);
        Assert.True(lookups > 0);
        Assert.Equal(keys, map.Count);
    }

    [Fact]
    public void ProcessesGrowTheMapTogether()
    {
        const long perProcess = 40_000;
        using var map = SeqMap<long, long>.Create("together", 16, _dir.Options);
        using var acked = SeqArray<long>.Create("together-acked", 1, _dir.Options);
        using (var first = ChildProcess.Start("grow-insert", _dir.Path, "together", 0, perProcess))
        using (var second = ChildProcess.Start("grow-insert", _dir.Path, "together", perProcess, 2 * perProcess))
        {
            first.WaitFor("ready");
            second.WaitFor("ready");
            for (long key = 2 * perProcess; key < 2 * perProcess + 10_000; key++)
            {
                map.Insert(key, key * 10); // this process grows it too
            }
            first.WaitFor("done");
            second.WaitFor("done");
        }
        long all = 2 * perProcess + 10_000;
        Assert.Equal(all, map.Count);
        for (long key = 0; key < all; key++)
        {
            Assert.True(map.TryGetValue(key, out long value), $"key {key} is missing");
            Assert.Equal(key * 10, value);
        }
        Assert.Equal(all, map.Count());
        CheckReport report = MapInspector.Check("together", _dir.Options);
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
            using var map = SeqMap<long, long>.Create(name, 16, _dir.Options);
            using var acked = SeqArray<long>.Create(name + "-acked", 1, _dir.Options);
            using (var writer = ChildProcess.Start("grow-insert", _dir.Path, name, 0, 10_000_000))
            {
                writer.WaitFor("ready");
                killedMidMigration += MigrationKill.Kill(writer, name, _dir.Options, random, round) ? 1 : 0;
            }
            long done = acked[0];
            // Every acknowledged insert is there, whatever the kill interrupted; at most the one in flight is extra.
            Assert.InRange(map.Count, done, done + 1);
            CheckReport report = MapInspector.Recover(name, _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            for (long key = 0; key < done; key++)
            {
                Assert.True(map.TryGetValue(key, out long value), $"round {round}: acknowledged key {key} of {done} is missing");
                Assert.Equal(key * 10, value);
            }
            // This process finishes any migration the writer left, and grows the map on.
            for (long key = done; key < done + 20_000; key++)
            {
                map.Insert(key, key * 10);
            }
            Assert.Equal(done + 20_000, map.Count);
            Assert.Equal(done + 20_000, map.Count());
            report = MapInspector.Check(name, _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
        }
        output.WriteLine($"{killedMidMigration} kills landed mid-migration");
        Assert.True(killedMidMigration > 0, "no kill landed during a migration");
    }

    [Fact]
    public void AMapGrowsUpToItsMaxCapacityThenIsFull()
    {
        var options = new ShmOptions { Directory = _dir.Path, MaxCapacity = 1000, MaxLoad = 0.5 };
        using var map = SeqMap<long, long>.Create("capped", 16, options);
        long key = 0;
        Assert.Throws<MapFullException>(() =>
        {
            for (; key < 1_000_000; key++)
            {
                map.Insert(key, key);
            }
        });
        Assert.Equal(2048, map.CellCount); // 1,000 entries at a load of at most 0.5
        Assert.Equal(2048, key);
        Assert.Equal(key, map.Count);
        map.Insert(0, 7); // still usable
        Assert.Equal(7, map[0]);
    }

    [Fact]
    public void AGrownMapGivesBackTheTablesItGrewOutOf()
    {
        const long keys = 1_000_000;
        using (var fresh = SeqMap<long, long>.Create("fresh", keys, _dir.Options))
        {
            for (long key = 0; key < keys; key++)
            {
                fresh.Insert(key, key);
            }
        }
        using var grown = SeqMap<long, long>.Create("grown", 1000, _dir.Options);
        for (long key = 0; key < keys; key++)
        {
            grown.Insert(key, key);
        }
        long before = MapInspector.Describe("grown", _dir.Options).AllocatedBytes;
        Thread.Sleep(TableDirectory.RetireGrace + TimeSpan.FromMilliseconds(200));
        SeqMap<long, long>.Open("grown", _dir.Options).Dispose(); // an opener after the grace gives the old tables back
        long afterOpen = MapInspector.Describe("grown", _dir.Options).AllocatedBytes;
        Assert.True(afterOpen < before, $"{afterOpen:N0} bytes after an open, {before:N0} before");
        grown.Insert(0, 1);
        long freshBytes = MapInspector.Describe("fresh", _dir.Options).AllocatedBytes;
        long grownBytes = MapInspector.Describe("grown", _dir.Options).AllocatedBytes;
        output.WriteLine($"grown {grownBytes:N0} bytes ({before:N0} before giving back), created for {keys:N0} {freshBytes:N0}: {(double)grownBytes / freshBytes:F2}");
        Assert.True(grownBytes <= 1.5 * freshBytes, $"grown {grownBytes:N0} bytes, fresh {freshBytes:N0}, before giving back {before:N0}");
        Assert.True(grownBytes < before, $"grown {grownBytes:N0} bytes, before giving back {before:N0}");
        Assert.Equal(keys, grown.Count);
        Assert.Equal(1, grown[0]);
        Assert.Equal(keys - 1, grown[keys - 1]);
    }

    [Fact]
    public void AFileFromBeforeMapsGrewIsRefusedWithWhatToDo()
    {
        long cells;
        using (var map = SeqMap<long, long>.Create("old", 100, new ShmOptions { Directory = _dir.Path, MaxCapacity = 100 }))
        {
            cells = map.CellCount;
        }
        // The kind parameters of the earlier layout: [cells, stride, insert-stripe shift], nothing after.
        new MapFilePatch(_dir.FileOf("old")).Int64(360 + 16, SeqMapLayout.StripeShiftFor(cells)).Int64(360 + 24, 0).Save();
        var error = Assert.Throws<LayoutMismatchException>(() => SeqMap<long, long>.Open("old", _dir.Options));
        Assert.Contains("made before maps grew", error.Message);
    }
}
