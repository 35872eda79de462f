using ShmMaps.Striped;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Striped;

public sealed class StripedMapTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DisposedMapsThrowObjectDisposed()
    {
        var map = StripedMap<long, long>.Create("disposed", 100, _dir.Options);
        map.Insert(1, 10); // the lookup that needs no state word must still see the disposal
        Assert.True(map.TryGetValue(1, out _));
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(1, out _));
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(2, out _));
        Assert.Throws<ObjectDisposedException>(() => map.Insert(1, 1));
        Assert.Throws<ObjectDisposedException>(() => map.Lock(1));
        map.Dispose();
    }

    [Fact]
    public void AKeyLockUsedAfterItsMapsDisposeThrowsObjectDisposed()
    {
        var map = StripedMap<long, long>.Create("gone", 100, _dir.Options);
        map.Insert(1, 10);
        KeyLock<long, long> scope = map.Lock(1, 2);
        scope[2] = 20;
        map.Dispose(); // the map's memory is unmapped: the scope may touch none of it
        Assert.Throws<ObjectDisposedException>(() => scope.TryGetValue(1, out _));
        Assert.Throws<ObjectDisposedException>(() => scope.Insert(2, 21));
        Assert.Throws<ObjectDisposedException>(() => scope.TryRemove(1, out _));
        Assert.Throws<ObjectDisposedException>(() => scope[3] = 3);
        scope.Dispose(); // drops the scope's writes, without a throw
        using var again = StripedMap<long, long>.Open("gone", _dir.Options);
        Assert.Equal(10, again[1]);
        Assert.False(again.ContainsKey(2));
    }

    [Fact]
    public void BehavesAsAMap()
    {
        using var map = StripedMap<long, long>.Create("basic", 1000, _dir.Options);
        Assert.False(map.TryGetValue(1, out _));
        map.Insert(1, 10);
        map[2] = 20;
        Assert.True(map.TryAdd(3, 30));
        Assert.False(map.TryAdd(3, 31));
        Assert.Equal(10, map[1]);
        Assert.Equal(20, map.Get(2));
        Assert.Null(map.Get(4));
        Assert.Equal(3, map.Count);
        Assert.True(map.TryRemove(2, out long removed));
        Assert.Equal(20, removed);
        Assert.False(map.TryRemove(2, out _));
        Assert.Equal(31, map.AddOrUpdate(3, 0, (k, v) => v + 1));
        Assert.Equal(7, map.AddOrUpdate(4, 7, (k, v) => v + 1));
        Assert.Equal(3, map.Count);
        Assert.Equal([(1L, 10L), (3L, 31L), (4L, 7L)], map.Select(p => (p.Key, p.Value)).Order());
        Assert.Throws<KeyNotFoundException>(() => map[99]);

        using var other = StripedMap<long, long>.Open("basic", _dir.Options);
        Assert.Equal(31, other[3]);
        Assert.Throws<LayoutMismatchException>(() => StripedMap<long, int>.Open("basic", _dir.Options));
    }

    [Fact]
    public void StripeCountAndCapacityEdgeCases()
    {
        using (var one = StripedMap<long, long>.Create("one", 100, stripeCount: 1, _dir.Options))
        {
            Assert.Equal(1, one.StripeCount);
            for (long k = 0; k < 100; k++)
            {
                one.Insert(k, k);
            }
            Assert.Equal(100, one.Count);
        }
        using (var empty = StripedMap<long, long>.Create("zero", 0, _dir.Options))
        {
            Assert.True(empty.CellsPerStripe >= 16);
            empty.Insert(5, 5);
            Assert.Equal(5, empty[5]);
        }
        Assert.Throws<ArgumentException>(() => StripedMap<long, long>.Create("three", 100, stripeCount: 3, _dir.Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => StripedMap<long, long>.Create("negative", 100, stripeCount: -2, _dir.Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => StripedMap<long, long>.Create("negative", -1, _dir.Options));
        using (var many = StripedMap<long, long>.Create("many", 10, stripeCount: 1024, _dir.Options))
        {
            Assert.Equal(1024, many.StripeCount);
            Assert.Equal(16, many.CellsPerStripe); // stripes never get fewer than 16 cells
        }

        using (var grows = StripedMap<long, long>.Create("grows", 16, stripeCount: 1, new ShmOptions { Directory = _dir.Path, MaxLoad = 1.0 }))
        {
            for (long k = 0; k <= grows.CellsPerStripe; k++)
            {
                grows.Insert(k, k); // the 17th finds its stripe full: the map grows to two stripes
            }
            Assert.Equal(2, grows.StripeCount);
            Assert.Equal(17, grows.Count);
        }

        using var tight = StripedMap<long, long>.Create("tight", 16, stripeCount: 1, new ShmOptions { Directory = _dir.Path, MaxLoad = 1.0, MaxCapacity = 16 });
        for (long k = 0; k < tight.CellsPerStripe; k++)
        {
            tight.Insert(k, k);
        }
        Assert.Contains("largest table", Assert.Throws<MapFullException>(() => tight.Insert(1000, 1)).Message);
        Assert.True(tight.TryRemove(3, out _));
        tight.Insert(1000, 1); // a removed cell is reused
        Assert.Equal(1, tight[1000]);
        Assert.Equal(tight.CellsPerStripe, tight.Count);
    }

    [Fact]
    public void KeyLockReachesOnlyItsKeysAndLocksInOneOrder()
    {
        using var map = StripedMap<long, long>.Create("locks", 1000, _dir.Options);
        map[1] = 5;
        map[2] = 7;
        using (KeyLock<long, long> scope = map.Lock(2, 1, 2))
        {
            scope[1] += scope[2];
            Assert.True(scope.TryRemove(2, out long two));
            Assert.Equal(7, two);
            Assert.Null(scope.Get(2));
            Assert.Throws<ArgumentException>(() => scope[3] = 1);
            Assert.Throws<InvalidOperationException>(() => map.Insert(1, 0));  // its own thread's lock: no self-deadlock
            Assert.Throws<InvalidOperationException>(() => map.TryGetValue(1, out _));
        }
        Assert.Equal(12, map[1]);
        Assert.False(map.ContainsKey(2));
        Assert.Equal(1, map.Count);
        Assert.True(MapInspector.Check("locks", _dir.Options).IsSound);
    }

    [Fact]
    public unsafe void AKeyLockOutlivesTheThreadThatTookIt()
    {
        using var map = StripedMap<long, long>.Create("hop", 1000, stripeCount: 64, _dir.Options);
        map[1] = 1;
        KeyLock<long, long>? scope = null;
        var taker = new Thread(() => scope = map.Lock(1));
        taker.Start();
        taker.Join();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        map.StripeOf(1L, out long heldStripe);
        long other = Enumerable.Range(2, 1000).First(k => { map.StripeOf(k, out long s); return s != heldStripe; });
        int otherLane = -1;
        var writer = new Thread(() =>
        {
            map[other] = 7;
            otherLane = map.Region.Lanes.Current.Index;
        });
        writer.Start();
        writer.Join();
        Assert.NotEqual(scope!.LaneIndex, otherLane); // the ended thread's lane stays the scope's

        scope[1] += 41;
        scope.Dispose();
        Assert.Equal(42, map[1]);
        Assert.Equal(7, map[other]);
        Assert.True(MapInspector.Check("hop", _dir.Options).IsSound);
    }

    [Fact]
    public void ThreadsNamingKeysInOppositeOrdersEndExact()
    {
        using var map = StripedMap<long, long>.Create("threads", 100, stripeCount: 64, _dir.Options);
        map[1] = 0;
        map[2] = 1;
        int rounds = Stress.Pick(20_000, 500_000);
        Parallel.For(0, 4, t =>
        {
            for (int i = 0; i < rounds; i++)
            {
                using KeyLock<long, long> scope = t % 2 == 0 ? map.Lock(1, 2) : map.Lock(2, 1);
                scope[1] += scope[2];
            }
        });
        Assert.Equal(4L * rounds, map[1]);
    }

    [Fact]
    public void ReadersNeverSeeAHalfWrittenEntry()
    {
        using var map = StripedMap<long, Whole4>.Create("whole", 64, stripeCount: 1, _dir.Options);
        long torn = 0, reads = 0;
        var random = new Random(2);
        using var reader = BackgroundLoop.Start(() =>
        {
            if (map.TryGetValue(random.Next(64), out Whole4 value) && !value.IsWhole)
            {
                Interlocked.Increment(ref torn);
            }
            reads++;
        });
        var writer = new Random(3);
        for (int i = 0; i < Stress.Pick(200_000, 5_000_000); i++)
        {
            long key = writer.Next(64);
            if (i % 7 == 0)
            {
                map.TryRemove(key, out _);
            }
            else
            {
                map.Insert(key, Whole4.Of(i));
            }
        }
        reader.Dispose();
        Assert.Equal(0, torn);
        Assert.True(reads > 0);
        Assert.True(MapInspector.Check("whole", _dir.Options).IsSound);
    }

    [Fact]
    public void AStripeTooLargeToCopyIsRefusedAtCreate()
    {
        var error = Assert.Throws<ArgumentException>(() => StripedMap<long, Guid>.Create("huge", 40_000_000, stripeCount: 1, _dir.Options));
        Assert.Contains($"at most {StripedLayout.MaxCellsPerStripe} cells", error.Message);
        Assert.False(File.Exists(_dir.FileOf("huge")));
        // The largest stripe allowed works, KeyLock included.
        using var map = StripedMap<long, Guid>.Create("large", StripedLayout.MaxCellsPerStripe / 8, stripeCount: 1, _dir.Options);
        Assert.Equal(StripedLayout.MaxCellsPerStripe, map.CellsPerStripe);
        using (KeyLock<long, Guid> scope = map.Lock(1, 2))
        {
            scope[1] = Guid.NewGuid();
        }
        Assert.True(map.ContainsKey(1));
    }

    [Fact]
    public void AKeyLockDisposedAfterItsMapDoesNothingAndTheStripesAreReleased()
    {
        var map = StripedMap<long, long>.Create("gone", 64, _dir.Options);
        KeyLock<long, long> scope = map.Lock(1, 2);
        scope[1] = 10;
        map.Dispose();
        scope.Dispose();
        scope.Dispose();
        using var other = StripedMap<long, long>.Open("gone", _dir.With(TimeSpan.FromSeconds(5)));
        other.Insert(1, 11); // the stripe's holder (the disposed handle's lane) is gone: recovered, not waited for
        Assert.Equal(11, other[1]);
        Assert.False(other.ContainsKey(2));
    }
}
