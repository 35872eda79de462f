using System.Buffers;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ShmMaps.Caching;
using ShmMaps.Tests.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Caching;

/// <summary>The <see cref="IDistributedCache"/> contract of <see cref="ShmDistributedCache"/>, with a clock the tests move.</summary>
public sealed class ShmDistributedCacheTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    /// <summary>A cache on the test's clock whose walks never start by themselves (the tests move the clock by minutes).</summary>
    private ShmDistributedCache NewCache(string name = "cache") =>
        new(new ShmDistributedCacheOptions { MapName = name, Directory = _dir.Path, Capacity = 16, ExpirationScanFrequency = TimeSpan.FromDays(365) }, _clock);

    [Fact]
    public void ValuesGoInAndComeOutWholeByEveryPath()
    {
        using ShmDistributedCache cache = NewCache();
        Assert.Null(cache.Get("absent"));
        cache.Set("k", [1, 2, 3], new DistributedCacheEntryOptions());
        Assert.Equal([1, 2, 3], cache.Get("k"));
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(cache.TryGet("k", buffer));
        Assert.Equal([1, 2, 3], buffer.WrittenSpan.ToArray());
        Assert.False(cache.TryGet("absent", buffer));

        cache.Set("empty", [], new DistributedCacheEntryOptions());
        Assert.Equal([], cache.Get("empty")!);

        // A payload of several segments, as HybridCache hands them.
        var first = new Segment(new byte[] { 1, 2 });
        Segment last = first.Append(new byte[] { 3 }).Append(new byte[] { 4, 5, 6 });
        cache.Set("segments", new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), new DistributedCacheEntryOptions());
        Assert.Equal([1, 2, 3, 4, 5, 6], cache.Get("segments"));

        byte[] large = new byte[3 << 20];
        Random.Shared.NextBytes(large);
        cache.Set("large", large, new DistributedCacheEntryOptions());
        Assert.Equal(large, cache.Get("large"));

        cache.Remove("k");
        Assert.Null(cache.Get("k"));
        cache.Remove("never there");
    }

    [Fact]
    public async Task AsyncMethodsDoTheSameAndHonourCancellation()
    {
        using ShmDistributedCache cache = NewCache();
        await cache.SetAsync("k", [7], new DistributedCacheEntryOptions());
        Assert.Equal([7], await cache.GetAsync("k"));
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(await cache.TryGetAsync("k", buffer));
        await cache.RefreshAsync("k");
        await cache.RemoveAsync("k");
        Assert.Null(await cache.GetAsync("k"));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync("k", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.SetAsync("k", [1], new DistributedCacheEntryOptions(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.RemoveAsync("k", cancelled.Token));
    }

    [Fact]
    public void AbsoluteExpirationEndsAnEntryAndItsReadRemovesIt()
    {
        using ShmDistributedCache cache = NewCache();
        cache.Set("relative", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        cache.Set("at", [2], new DistributedCacheEntryOptions { AbsoluteExpiration = _clock.GetUtcNow().AddMinutes(10) });
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal([1], cache.Get("relative"));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Null(cache.Get("relative")); // at its expiry: expired
        Assert.False(cache.Map.ContainsKey("relative"));
        Assert.Equal([2], cache.Get("at"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(cache.Get("at"));
        Assert.Equal(0, cache.Map.Count);
    }

    [Fact]
    public void ExpiredEntriesNoOneReadsAreRemovedByAWalkEachProcessStartsNowAndThen()
    {
        using ShmDistributedCache cache = new(new ShmDistributedCacheOptions
        {
            MapName = "walked", Directory = _dir.Path, ExpirationScanFrequency = TimeSpan.FromMinutes(5),
        }, _clock);
        for (int i = 0; i < 300; i++)
        {
            cache.Set($"short-{i}", new byte[i], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        }
        cache.Set("sliding", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(2) });
        cache.Set("long", [2], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        cache.Map.Set("by hand", "not an entry"u8);
        Assert.Equal(0, cache.RemoveExpired());
        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(301, cache.RemoveExpired());
        Assert.Equal(2, cache.Map.Count); // "long" and the value the cache did not write

        // A call once the scan frequency has passed starts a walk on the thread pool.
        cache.Set("soon", [3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(cache.Get("absent")); // the call that starts it
        WriterServiceTests.WaitUntil(() => !cache.Map.ContainsKey("soon"));
        Assert.Equal([2], cache.Get("long"));
    }

    [Fact]
    public void HitsMissesAndExpirationsAreCountedInTheShmMapsMeter()
    {
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ShmMaps" && instrument.Name.StartsWith("shmmaps.cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "map" && (string?)tag.Value == "counted")
                {
                    counts.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                }
            }
        });
        listener.Start();
        using ShmDistributedCache cache = NewCache("counted");
        cache.Set("k", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        cache.Set("j", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        Assert.NotNull(cache.Get("k"));
        Assert.True(cache.TryGet("k", new ArrayBufferWriter<byte>()));
        Assert.Null(cache.Get("absent"));
        cache.Refresh("k"); // not a read
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(cache.Get("k")); // a miss, and an expiration
        Assert.Equal(1, cache.RemoveExpired());
        Assert.Equal(2, counts.GetValueOrDefault("shmmaps.cache.hits"));
        Assert.Equal(2, counts.GetValueOrDefault("shmmaps.cache.misses"));
        Assert.Equal(2, counts.GetValueOrDefault("shmmaps.cache.expirations"));
    }

    [Fact]
    public void TheBudgetIsTheMapsAndItsEvictionsAndBytesAreInTheMeterForEveryProcess()
    {
        var observed = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ShmMaps" && instrument.Name is "shmmaps.cache.evictions" or "shmmaps.cache.bytes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "map" && (string?)tag.Value == "budgeted")
                {
                    observed[instrument.Name] = value;
                }
            }
        });
        listener.Start();
        const long budget = 64 << 10;
        using var writer = new ShmDistributedCache(new ShmDistributedCacheOptions { MapName = "budgeted", Directory = _dir.Path, MaxBytes = budget }, _clock);
        using (var reader = new ShmDistributedCache(new ShmDistributedCacheOptions { MapName = "budgeted", Directory = _dir.Path }, _clock))
        {
            Assert.Equal(budget, reader.Map.MaxBytes); // null leaves the map's budget as it is
            for (int i = 0; i < 200; i++)
            {
                writer.Set($"k{i}", new byte[1000], new DistributedCacheEntryOptions());
                Assert.True(reader.Map.LiveBytes <= budget);
            }
            Assert.NotNull(reader.Get("k199"));
            Assert.Null(reader.Get("k0"));
            listener.RecordObservableInstruments();
            Assert.Equal(writer.Map.Evictions, observed["shmmaps.cache.evictions"]);
            Assert.True(writer.Map.Evictions >= 130, $"{writer.Map.Evictions} evictions");
            Assert.Equal(writer.Map.LiveBytes, observed["shmmaps.cache.bytes"]);
            Assert.Contains("budget", Assert.Throws<MapFullException>(() => writer.Set("huge", new byte[100 << 10], new DistributedCacheEntryOptions())).Message);
        }
        listener.RecordObservableInstruments(); // a closed cache reports nothing and reads no unmapped memory
    }

    [Fact]
    public void SlidingExpirationMovesOnWithEveryReadAndRefreshButNeverPastTheAbsoluteOne()
    {
        using ShmDistributedCache cache = NewCache();
        cache.Set("session", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
        cache.Set("capped", [2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(15) });
        for (int i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(6));
            Assert.Equal([1], cache.Get("session"));
            cache.Refresh("capped");
        }
        // 18 minutes on: the sliding entry lives (read every 6), the capped one is past its absolute 15.
        Assert.Null(cache.Get("capped"));
        _clock.Advance(TimeSpan.FromMinutes(9));
        cache.Refresh("session");
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal([1], cache.Get("session"));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(cache.Get("session"));
    }

    [Fact]
    public void ExpirationsAreCheckedAsTheInMemoryCacheChecksThem()
    {
        using ShmDistributedCache cache = NewCache();
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("k", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = _clock.GetUtcNow() }));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("k", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("k", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromTicks(-1) }));
        Assert.Throws<ArgumentNullException>(() => cache.Get(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ShmDistributedCache(new ShmDistributedCacheOptions { MapName = "budget", Directory = _dir.Path, MaxBytes = -1 }));
        Assert.Throws<ArgumentNullException>(() => cache.Set("k", null!, new DistributedCacheEntryOptions()));
        Assert.Null(cache.Get("k"));
    }

    [Fact]
    public void AValueTheCacheDidNotWriteIsAMiss()
    {
        using ShmDistributedCache cache = NewCache();
        cache.Map.Set("by hand", "hello"u8);
        cache.Map.Set("short", [0x53, 0x48, 0x4D]);
        byte[] badTimes = new byte[40];
        new CacheEntryHeader(ExpiresAt: 10, Absolute: 5, Sliding: 0).Write(badTimes); // expires after its absolute expiry: not an entry
        cache.Map.Set("bad times", badTimes);
        Assert.Null(cache.Get("by hand"));
        Assert.Null(cache.Get("short"));
        Assert.Null(cache.Get("bad times"));
        Assert.Equal(3, cache.Map.Count);
    }

    [Fact]
    public void TheServiceIsTheDistributedCacheAndTakesTheRegisteredClock()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache(); // replaced, in whichever order
        services.AddSingleton<TimeProvider>(_clock);
        services.AddShmDistributedCache(options =>
        {
            options.MapName = "registered";
            options.Directory = _dir.Path;
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();
        Assert.IsType<ShmDistributedCache>(cache);
        Assert.Same(cache, provider.GetRequiredService<IBufferDistributedCache>());
        cache.SetString("k", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1) });
        Assert.Equal("v", cache.GetString("k"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.GetString("k"));
    }

    [Fact]
    public void ProcessesShareEntriesTheirExpiryAndRemoves()
    {
        using ShmDistributedCache cache = new(new ShmDistributedCacheOptions { MapName = "shared", Directory = _dir.Path }); // the system clock, as the children's
        Assert.Equal("set", Child("cache-set", "greeting", "hello", 3600));
        Assert.Equal("hello", Encoding.UTF8.GetString(cache.Get("greeting")!));
        cache.SetString("reply", "hi");
        Assert.Equal("hi", Child("cache-get", "reply"));
        cache.Remove("reply");
        Assert.Equal("(miss)", Child("cache-get", "reply"));

        // An instant is an instant in every process: a clock two hours on finds the child's entry expired and removes it.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        using (ShmDistributedCache ahead = new(new ShmDistributedCacheOptions { MapName = "shared", Directory = _dir.Path }, later))
        {
            Assert.Null(ahead.Get("greeting"));
        }
        Assert.Equal("(miss)", Child("cache-get", "greeting"));
    }

    [Fact]
    public void ShmInfoSumsTheReadsOfEveryProcess()
    {
        using ShmDistributedCache cache = NewCache("shared");
        cache.SetString("k", "v", new DistributedCacheEntryOptions());
        cache.SetString("brief", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        Assert.Equal("v", cache.GetString("k"));
        Assert.Null(cache.GetString("absent"));
        Assert.Equal("v", Child("cache-get", "k"));
        Assert.Equal("(miss)", Child("cache-get", "nope"));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(cache.GetString("brief")); // a miss, and an expired entry removed
        Assert.Equal(new BlobCacheCounts(Hits: 2, Misses: 3, Expirations: 1), cache.Map.CacheCounts);
        Assert.Equal("2 hits, 3 misses (40.0% hits), 1 expired entries removed, by every process",
            ShmMaps.Inspection.MapInspector.Describe("shared", _dir.Options).Details["cache reads"]);
        Assert.Equal(0, cache.Map.Census().Unaccounted);
    }

    [Fact]
    public void HybridCacheInTwoProcessesMakesAValueOnceAndTheSecondReadsItFromTheSharedL2()
    {
        string first = Child("cache-hybrid", "report");
        string second = Child("cache-hybrid", "report");
        Assert.EndsWith("|factory", first);
        Assert.Equal(first.Replace("|factory", "|l2", StringComparison.Ordinal), second);
    }

    private string Child(string role, params object[] arguments)
    {
        using ChildProcess child = ChildProcess.Start(role, [_dir.Path, "shared", .. arguments]);
        string line = child.ReadLine(TimeSpan.FromSeconds(60));
        Assert.Equal(0, child.WaitForExit());
        return line;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
