using ShmMaps.Blob;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>A BlobMap held to a byte budget in one process: writes evict what was not read, the count stays exact.</summary>
public sealed class BlobBudgetTests : IDisposable
{
    private const int ValueBytes = 1000;

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The block a key of this test and a 1,000-byte value take.</summary>
    private static int BlockBytes(string key) => SizeClasses.Size(SizeClasses.Of(BlobBlock.BytesFor(key.Length, ValueBytes)));

    [Fact]
    public void EveryWriteLeavesTheMapWithinItsBudgetAndTheCountExact()
    {
        using var map = BlobMap.Create("budget", 16, _dir.Options);
        map.MaxBytes = 1 << 20;
        byte[] value = new byte[ValueBytes];
        for (int i = 0; i < 20_000; i++)
        {
            map.Set($"key-{i:D6}", value);
            Assert.True(map.LiveBytes <= map.MaxBytes, $"write {i}: {map.LiveBytes:N0} live bytes over a budget of {map.MaxBytes:N0}");
        }
        // A write evicts among the cells the hand passes, all of them: it may free a few entries more than it needs.
        Assert.InRange(map.LiveBytes, map.MaxBytes - (BlobBudget.HandStep * BlockBytes("key-000000")), map.MaxBytes);
        Assert.Equal(map.Count * BlockBytes("key-000000"), map.LiveBytes);
        Assert.Equal(20_000 - map.Count, map.Evictions);
        Assert.Equal(map.LiveBytes, map.Census().LiveBlockBytes);
        Assert.True(MapInspector.Check("budget", _dir.Options).IsSound);
    }

    [Fact]
    public void KeysReadBetweenTheHandsPassesStayWhileUnreadOnesAreEvicted()
    {
        using var map = BlobMap.Create("hot", 1_000, _dir.Options);
        map.MaxBytes = 2 << 20; // about 2,000 entries
        byte[] value = new byte[ValueBytes];
        string[] hot = Enumerable.Range(0, 200).Select(i => $"hot-{i:D4}").ToArray();
        foreach (string key in hot)
        {
            map.Set(key, value);
        }
        for (int i = 0; i < 50_000; i++)
        {
            map.Set($"cold-{i:D6}", value);
            Assert.True(map.ContainsKey(hot[i % hot.Length]), $"hot key {hot[i % hot.Length]} was evicted by cold write {i}");
        }
        Assert.True(map.Evictions >= 48_000, $"{map.Evictions} evictions");
    }

    [Fact]
    public void AnOverwriteOfTheSameSizeAtAFullBudgetEvictsNothing()
    {
        using var map = BlobMap.Create("full", 100, _dir.Options);
        map.MaxBytes = 64 << 10;
        byte[] value = new byte[ValueBytes];
        for (int i = 0; map.Evictions == 0; i++)
        {
            map.Set($"k{i}", value);
        }
        long evictions = map.Evictions;
        string kept = map.Heads(0).First().Key;
        for (int i = 0; i < 100; i++)
        {
            map.Set(kept, value); // a sliding cache entry's refresh is such a write
        }
        Assert.Equal(evictions, map.Evictions);
    }

    [Fact]
    public void ARemoveOrAnOverwriteGivesItsBytesBack()
    {
        using var map = BlobMap.Create("give-back", 100, _dir.Options);
        map.MaxBytes = 1 << 20;
        map.Set("a", new byte[ValueBytes]);
        map.Set("b", new byte[10]);
        long both = map.LiveBytes;
        map.Set("a", new byte[10]);
        Assert.Equal(both - BlockBytes("a") + SizeClasses.Size(SizeClasses.Of(BlobBlock.BytesFor(1, 10))), map.LiveBytes);
        Assert.True(map.TryRemove("a"));
        Assert.True(map.TryRemove("b"));
        Assert.Equal(0, map.LiveBytes);
        Assert.Equal(0, map.Evictions);
    }

    [Fact]
    public void LoweringTheBudgetEvictsAtOnceAndAValueLargerThanItIsRefused()
    {
        using var map = BlobMap.Create("lower", 100, _dir.Options);
        for (int i = 0; i < 1_000; i++)
        {
            map.Set($"k{i}", new byte[ValueBytes]);
        }
        Assert.Equal(0, map.MaxBytes);
        map.MaxBytes = 100 * 1024;
        Assert.True(map.LiveBytes <= 100 * 1024);
        Assert.True(map.Count >= 90, $"{map.Count} keys left");
        MapFullException full = Assert.Throws<MapFullException>(() => map.Set("big", new byte[200 * 1024]));
        Assert.Contains("budget", full.Message);
        Assert.False(map.ContainsKey("big"));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.MaxBytes = -1);
        map.MaxBytes = 0;
        map.Set("big", new byte[200 * 1024]);
        Assert.True(map.ContainsKey("big"));
    }

    [Fact]
    public void CacheCountsNeedNoLaneSoThreadsBeyondTheLanesReadAndCount()
    {
        using var map = BlobMap.Create("counted", 100, new ShmOptions { Directory = _dir.Path, WriterLanes = 2 });
        map.Set("k", "v"u8); // this thread's lane; the counts' table made below with it
        map.AddCacheCounts(1, 0, 0);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            map.Set("j", "w"u8); // the other lane, held while this thread lives
            holding.Set();
            release.Wait();
        });
        holder.Start();
        holding.Wait();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            Assert.True(map.TryGetValue("k", out byte[]? _));
            map.AddCacheCounts(1, 1, 0);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(readers);
        release.Set();
        holder.Join();
        Assert.Equal(new BlobCacheCounts(9, 8, 0), map.CacheCounts);
    }

    [Fact]
    public void TheBudgetIsTheMapsForEveryHandle()
    {
        using var writer = BlobMap.Create("shared-budget", 100, _dir.Options);
        using var other = BlobMap.Open("shared-budget", _dir.Options);
        other.MaxBytes = 64 * 1024;
        Assert.Equal(64 * 1024, writer.MaxBytes);
        for (int i = 0; i < 500; i++)
        {
            writer.Set($"k{i}", new byte[ValueBytes]);
        }
        Assert.True(other.LiveBytes <= 64 * 1024);
        Assert.Equal(writer.Evictions, other.Evictions);
        Assert.Contains("entries evicted", MapInspector.Describe("shared-budget", _dir.Options).Details["budget"]);
    }
}
