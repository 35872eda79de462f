using ShmMaps.Inspection;
using ShmMaps.Tables;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;
using static ShmMaps.Tests.Support.FolkloreChildRoles;

namespace ShmMaps.Tests.Folklore;

/// <summary>
/// A FolkloreMap created small grows while threads and processes use it, without a lock: every key stays findable,
/// counts stay exact, an AddOrUpdate stays atomic, a writer killed mid-migration leaves a map the others finish, and
/// memory follows the entries.
/// </summary>
public sealed class FolkloreGrowthTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AMapCreatedSmallGrowsAndKeepsEveryKey()
    {
        const int keys = 100_000;
        using var map = FolkloreMap<int>.Create("grow", 16, _dir.Options);
        long firstCells = map.CellCount;
        for (int i = 0; i < keys; i++)
        {
            map.Insert(GrowthKey(i), i);
        }
        Assert.True(map.KeySlotCount >= keys, $"{map.KeySlotCount} key slots for {keys} keys");
        Assert.True(map.Generation >= 10, $"generation {map.Generation} from {firstCells} cells");
        Assert.Equal(keys, map.Count);
        for (int i = 0; i < keys; i++)
        {
            Assert.Equal(i, map[GrowthKey(i)]);
        }
        Assert.Equal(keys, map.Count());
        for (int i = 0; i < keys; i += 2)
        {
            Assert.True(map.TryRemove(GrowthKey(i), out int value));
            Assert.Equal(i, value);
        }
        Assert.Equal(keys / 2, map.Count);
        Assert.False(map.ContainsKey(GrowthKey(0)));
        Assert.Equal(1, map[GrowthKey(1)]);
        Assert.Equal(2, map.AddOrUpdate(GrowthKey(1), 0, static v => v + 1));
        Assert.True(map.TryAdd(GrowthKey(0), 5)); // a removed key comes back in its cell
        CheckReport report = MapInspector.Check("grow", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void ReadersFindEveryKeyInsertedBeforeTheyLookWhileTheMapGrows()
    {
        int keys = Stress.Pick(quick: 200_000, full: 2_000_000);
        using var map = FolkloreMap<int>.Create("readers", 4, _dir.Options);
        int inserted = 0;
        long missed = 0;
        long wrong = 0;
        long lookups = 0;
        var readers = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            while (Volatile.Read(ref inserted) < keys)
            {
                int upTo = Volatile.Read(ref inserted); // every key below was inserted before this lookup began
                if (upTo == 0)
                {
                    continue;
                }
                int i = random.Next(upTo);
                if (!map.TryGetValue(GrowthKey(i), out int value))
                {
                    Interlocked.Increment(ref missed);
                }
                else if (value != i)
                {
                    Interlocked.Increment(ref wrong);
                }
                Interlocked.Increment(ref lookups);
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (int i = 0; i < keys; i++)
        {
            map.Insert(GrowthKey(i), i);
            Volatile.Write(ref inserted, i + 1);
        }
        readers.ForEach(t => t.Join());
        Assert.Equal(0, missed);
        Assert.Equal(0, wrong);
        Assert.True(lookups > 0);
        Assert.Equal(keys, map.Count);
    }

    [Fact]
    public void AddOrUpdateStaysAtomicWhileTheMapGrows()
    {
        const int counters = 64;
        const int perThread = 50_000;
        using var map = FolkloreMap<int>.Create("counters", 16, _dir.Options);
        var adders = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            for (int step = 0; step < perThread; step++)
            {
                map.AddOrUpdate($"counter {step % counters}", 1, static v => v + 1);
            }
        })).ToList();
        adders.ForEach(t => t.Start());
        for (int i = 0; i < 100_000; i++)
        {
            map.Insert(GrowthKey(i), i); // grows the map under the counters
        }
        adders.ForEach(t => t.Join());
        Assert.Equal(2 * perThread, Enumerable.Range(0, counters).Sum(c => map[$"counter {c}"]));
        Assert.True(map.Generation >= 8, $"generation {map.Generation}");
        Assert.Equal(100_000 + counters, map.Count);
        CheckReport report = MapInspector.Check("counters", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void ProcessesGrowTheMapTogether()
    {
        const int perProcess = 40_000;
        using var map = FolkloreMap<int>.Create("together", 16, _dir.Options);
        using var acked = SeqArray<long>.Create("together-acked", 1, _dir.Options);
        using (var first = ChildProcess.Start("folklore-grow", _dir.Path, "together", 0, perProcess))
        using (var second = ChildProcess.Start("folklore-grow", _dir.Path, "together", perProcess, 2 * perProcess))
        {
            first.WaitFor("ready");
            second.WaitFor("ready");
            for (int i = 2 * perProcess; i < 2 * perProcess + 10_000; i++)
            {
                map.Insert(GrowthKey(i), i); // this process grows it too
            }
            first.WaitFor("done");
            second.WaitFor("done");
        }
        int all = 2 * perProcess + 10_000;
        Assert.Equal(all, map.Count);
        for (int i = 0; i < all; i++)
        {
            Assert.True(map.TryGetValue(GrowthKey(i), out int value), $"key {i} is missing");
            Assert.Equal(i, value);
        }
        Assert.Equal(all, map.Count());
        CheckReport report = MapInspector.Check("together", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AWriterKilledMidMigrationLeavesAMapTheOthersFinish()
    {
        int rounds = Stress.Pick(quick: 6, full: 200);
        var random = new Random(17);
        int killedMidMigration = 0;
        // Half the rounds kill at a random instant, half as soon as a migration is seen under way; more rounds while
        // no kill has landed mid-migration yet (where one lands is chance).
        for (int round = 0; round < rounds || (killedMidMigration == 0 && round < 5 * rounds); round++)
        {
            string name = $"killed{round}";
            using var map = FolkloreMap<int>.Create(name, 16, _dir.Options);
            using var acked = SeqArray<long>.Create(name + "-acked", 1, _dir.Options);
            using (var writer = ChildProcess.Start("folklore-grow", _dir.Path, name, 0, 100_000_000))
            {
                writer.WaitFor("ready");
                killedMidMigration += MigrationKill.Kill(writer, name, _dir.Options, random, round) ? 1 : 0;
            }
            int done = (int)acked[0];
            // Every acknowledged insert is there, whatever the kill interrupted; at most the one in flight is extra.
            Assert.InRange(map.Count, done, done + 1);
            CheckReport report = MapInspector.Recover(name, _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            for (int i = 0; i < done; i++)
            {
                Assert.True(map.TryGetValue(GrowthKey(i), out int value), $"round {round}: acknowledged key {i} of {done} is missing");
                Assert.Equal(i, value);
            }
            // This process finishes any migration the writer left, and grows the map on.
            for (int i = done; i < done + 20_000; i++)
            {
                map.Insert(GrowthKey(i), i);
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
        var options = new ShmOptions { Directory = _dir.Path, MaxCapacity = 1000 };
        using var map = FolkloreMap<int>.Create("capped", 16, options);
        int i = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; i < 1_000_000; i++)
            {
                map.Insert(GrowthKey(i), i);
            }
        });
        Assert.Contains("ShmOptions.MaxCapacity", error.Message);
        Assert.Equal(1125, map.KeySlotCount); // 1,000 keys and an eighth for lost races
        Assert.Equal(1125, i);
        Assert.Equal(i, map.Count);
        map.Insert(GrowthKey(0), 7); // still usable
        Assert.Equal(7, map[GrowthKey(0)]);
    }

    [Fact]
    public void AGrownMapGivesBackTheTablesItGrewOutOf()
    {
        const int keys = 1_000_000;
        using (var fresh = FolkloreMap<int>.Create("fresh", keys, _dir.Options))
        {
            for (int i = 0; i < keys; i++)
            {
                fresh.Insert(GrowthKey(i), i);
            }
        }
        using var grown = FolkloreMap<int>.Create("grown", 1000, _dir.Options);
        for (int i = 0; i < keys; i++)
        {
            grown.Insert(GrowthKey(i), i);
        }
        long before = MapInspector.Describe("grown", _dir.Options).AllocatedBytes;
        Thread.Sleep(TableDirectory.RetireGrace + TimeSpan.FromMilliseconds(200));
        grown.Insert(GrowthKey(0), 1); // a writer after the grace gives the old tables back
        long freshBytes = MapInspector.Describe("fresh", _dir.Options).AllocatedBytes;
        long grownBytes = MapInspector.Describe("grown", _dir.Options).AllocatedBytes;
        output.WriteLine($"grown {grownBytes:N0} bytes ({before:N0} before giving back), created for {keys:N0} {freshBytes:N0}: {(double)grownBytes / freshBytes:F2}");
        Assert.True(grownBytes <= 1.5 * freshBytes, $"grown {grownBytes:N0} bytes, fresh {freshBytes:N0}, before giving back {before:N0}");
        Assert.True(grownBytes < before, $"grown {grownBytes:N0} bytes, before giving back {before:N0}");
        Assert.Equal(keys, grown.Count);
        Assert.Equal(1, grown[GrowthKey(0)]);
        Assert.Equal(keys - 1, grown[GrowthKey(keys - 1)]);
    }

    [Fact]
    public unsafe void AFrozenEntryOutsideAMigrationIsCorruptNotAHang()
    {
        using var map = FolkloreMap<int>.Create("frozen", 100, _dir.Options);
        map.Insert("victim", 1);
        map.Insert("bystander", 2);
        ShmMaps.Folklore.FolkloreTable table = map.Table;
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong* entry = (ulong*)table.Entries + cell;
            if (*entry != 0 && table.Keys.KeyOf(table.KeyIndex(*entry)).SequenceEqual("victim"u8))
            {
                *entry |= table.FrozenBit; // as only a migration may, but the state says none is under way
            }
        }
        Assert.Equal(1, map["victim"]); // a frozen entry is still read
        Assert.Throws<CorruptMapException>(() => map.Insert("victim", 3));
        Assert.Throws<CorruptMapException>(() => map.TryRemove("victim", out _));
        map.Insert("bystander", 4);
        Assert.Equal(4, map["bystander"]);
        CheckReport report = MapInspector.Check("frozen", _dir.Options);
        Assert.Contains(report.Problems, p => p.Contains("frozen", StringComparison.Ordinal));
    }
}
