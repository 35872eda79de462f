using ShmMaps.Inspection;
using ShmMaps.Tests.Support;
using ShmMaps.Tests.Growth;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Striped;

/// <summary>
/// A StripedMap grows as every kind does (<see cref="GrowthTests"/>; its child adds every fourth key through a
/// KeyLock), its KeyLocks stay atomic while it grows, it stops at its cap, and a file made before maps grew keeps its one table.
/// </summary>
public sealed class StripedMapGrowthTests(ITestOutputHelper output) : GrowthTests(GrowingKind.Striped, output)
{
    [Fact]
    public void AKeyLockHeldPastTheLockTimeoutStopsNoWriterOfAnotherStripeDuringAMigration()
    {
        var options = Dir.With(lockTimeout: TimeSpan.FromMilliseconds(300));
        using var map = StripedMap<long, long>.Create("held", 4096, options);
        for (long key = 0; key < 1000; key++)
        {
            map.Insert(key, key);
        }
        int generation = map.Generation;
        ShmMaps.Striped.StripeTable before = map.View().Newest;
        long heldStripe = map.StripeIndexOf(before, 0);
        bool OtherStripe(long key) => map.StripeIndexOf(before, key) != heldStripe; // writers of the held stripe's keys wait, as they must
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using KeyLock<long, long> scope = map.Lock(0);
            held.Set();
            release.Wait();
            scope[0] = -1;
        });
        holder.Start();
        held.Wait();
        try
        {
            // Grows the map and goes on writing while stripe 0 of the old table stays locked for 4 lock timeouts: the
            // migration passes over it; no writer of another key waits for it.
            long key = 1000;
            var timer = System.Diagnostics.Stopwatch.StartNew();
            for (; map.Generation == generation; key++)
            {
                if (OtherStripe(key))
                {
                    map.Insert(key, key);
                }
            }
            while (timer.Elapsed < TimeSpan.FromMilliseconds(1200))
            {
                if (OtherStripe(key))
                {
                    map.Insert(key, key);
                }
                key = key < 6000 ? key + 1 : 1000; // within what the new table holds: no second growth to wait for
            }
            Assert.Contains("into table", MapInspector.Describe("held", options).Details["migration"]); // still under way: the held stripe
        }
        finally
        {
            release.Set();
            holder.Join();
        }
        for (long key = 1; key < 4; key++)
        {
            map.Insert(key, key); // the writers after the holder move its stripe, and end the migration
        }
        Assert.Equal("none", MapInspector.Describe("held", options).Details["migration"]);
        Assert.Equal(-1, map[0]);
        CheckReport report = MapInspector.Check("held", options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void KeyLocksStayAtomicWhileTheMapGrows()
    {
        const long accounts = 16; // as many keys as one KeyLock takes: a scope over all of them sees the whole sum
        const long start = 1_000;
        using var map = StripedMap<long, long>.Create("accounts", 16, Dir.Options);
        for (long a = 0; a < accounts; a++)
        {
            map[a] = start;
        }
        long inserting = 1;
        long transfers = 0;
        long badSums = 0;
        var movers = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            while (Volatile.Read(ref inserting) != 0)
            {
                long from = random.NextInt64(accounts), to = random.NextInt64(accounts);
                using (KeyLock<long, long> scope = map.Lock(from, to))
                {
                    scope[from] -= 1;
                    scope[to] += 1;
                }
                using (KeyLock<long, long> all = map.Lock([.. Enumerable.Range(0, (int)accounts).Select(i => (long)i)]))
                {
                    if (Enumerable.Range(0, (int)accounts).Sum(i => all[i]) != accounts * start)
                    {
                        Interlocked.Increment(ref badSums);
                    }
                }
                Interlocked.Increment(ref transfers);
            }
        })).ToList();
        movers.ForEach(t => t.Start());
        for (long key = accounts; key < 100_000; key++)
        {
            map.Insert(key, key); // grows the map under the transfers
        }
        Volatile.Write(ref inserting, 0);
        movers.ForEach(t => t.Join());
        long total = 0;
        for (long a = 0; a < accounts; a++)
        {
            total += map[a];
        }
        Assert.Equal(accounts * start, total);
        Assert.Equal(0, badSums);
        Assert.True(transfers > 0);
        Assert.True(map.Generation >= 8, $"generation {map.Generation}");
        Assert.Equal(100_000, map.Count);
        CheckReport report = MapInspector.Check("accounts", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AMapGrowsUpToItsMaxCapacityThenIsFull()
    {
        var options = new ShmOptions { Directory = Dir.Path, MaxCapacity = 1000, MaxLoad = 0.5 };
        using var map = StripedMap<long, long>.Create("capped", 16, options);
        long key = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; key < 1_000_000; key++)
            {
                map.Insert(key, key);
            }
        });
        Assert.Contains("ShmOptions.MaxCapacity", error.Message);
        // The largest table has stripes enough that the cap's keys overflow none but with a chance under one in a
        // billion: 1,000 keys always fit, and the map takes more until a stripe of that table is full.
        Assert.True(key >= 1000, $"full at {key} keys");
        Assert.True(map.StripeCount * map.CellsPerStripe >= 2048, $"{map.StripeCount} stripes of {map.CellsPerStripe} cells");
        Assert.Equal(key, map.Count);
        using (KeyLock<long, long> scope = map.Lock(key))
        {
            // The same key through a KeyLock: the map cannot grow, and the exception says so (not "retry").
            Assert.Contains("ShmOptions.MaxCapacity", Assert.Throws<MapFullException>(() => scope[key] = key).Message);
        }
        map.Insert(0, 7); // still usable
        Assert.Equal(7, map[0]);
    }

    [Fact]
    public void AFileFromBeforeMapsGrewOpensAndKeepsItsOneTable()
    {
        using (var map = StripedMap<long, long>.Create("old", 16, stripeCount: 1, new ShmOptions { Directory = Dir.Path, MaxLoad = 1.0 }))
        {
            map[1] = 10;
        }
        // The earlier layout: kind parameters [stripes, cells per stripe, cell stride, stripe stride], one region after the lanes.
        new MapFilePatch(Dir.FileOf("old")).Int64(360 + 32, 0).Int64(360 + 40, 0).UInt32(56, 2).Save();
        using var old = StripedMap<long, long>.Open("old", Dir.Options);
        Assert.Equal(10, old[1]);
        for (long key = 2; key <= old.CellsPerStripe; key++)
        {
            old.Insert(key, key);
        }
        Assert.Contains("larger capacity", Assert.Throws<MapFullException>(() => old.Insert(1000, 1)).Message);
        Assert.Equal(1, old.StripeCount);
        CheckReport report = MapInspector.Check("old", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AKeyLockThatMeetsAFullStripeGrowsTheMapWhenDisposed()
    {
        using var map = StripedMap<long, long>.Create("full-stripe", 16, stripeCount: 1, new ShmOptions { Directory = Dir.Path, MaxLoad = 1.0 });
        for (long key = 0; key < map.CellsPerStripe; key++)
        {
            map.Insert(key, key);
        }
        Assert.Equal(1, map.StripeCount);
        var error = Assert.Throws<MapFullException>(() =>
        {
            using KeyLock<long, long> scope = map.Lock(1000, 1);
            scope[1] = 11; // a write the scope commits though the add below is refused
            scope[1000] = 1;
        });
        Assert.Contains("grows when this KeyLock is disposed", error.Message);
        Assert.Equal(2, map.StripeCount);
        Assert.Equal(11, map[1]);
        using (KeyLock<long, long> scope = map.Lock(1000))
        {
            scope[1000] = 1;
        }
        Assert.Equal(1, map[1000]);
        Assert.Equal(map.CellsPerStripe + 1, map.Count);
        CheckReport report = MapInspector.Check("full-stripe", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }
}
