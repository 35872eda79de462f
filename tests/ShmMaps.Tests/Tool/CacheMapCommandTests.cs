using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using ShmMaps.Caching;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary><c>shm</c> on a shared cache's map: entries shown by their payload with when they expire, kept whole through dump and load.</summary>
public sealed class CacheMapCommandTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DumpShowsWhenEachEntryExpiresAndGetAndRmWorkOnPayloads()
    {
        using (ShmDistributedCache cache = NewCache("cache"))
        {
            cache.SetString("fixed", "until one", new DistributedCacheEntryOptions { AbsoluteExpiration = new DateTimeOffset(2026, 12, 8, 13, 0, 0, TimeSpan.Zero) });
            cache.SetString("session", "slides", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(20) });
            cache.SetString("forever", "stays", new DistributedCacheEntryOptions());
        }
        (int code, string dump) = Run("dump", "cache");
        Assert.Equal(0, code);
        Assert.Contains("EXPIRES", dump);
        Assert.Matches(@"fixed\s+2026-12-08 13:00:00Z\s+until one", dump);
        Assert.Matches(@"session\s+2026-12-08 12:20:00Z \(sliding 00:20:00\)\s+slides", dump);
        Assert.Matches(@"forever\s+never\s+stays", dump);
        Assert.Equal((0, "slides\n"), Run("get", "cache", "session"));
        (int watched, string figures) = Run("watch", "cache", "--once", "--interval", "10");
        Assert.Equal(0, watched);
        Assert.Contains("cache reads:", figures); // every process's hits and misses
        Assert.Contains("budget:", figures);
        Assert.Equal(0, Run("rm", "cache", "fixed").Code);
        using (ShmDistributedCache cache = NewCache("cache"))
        {
            Assert.Null(cache.GetString("fixed"));
            Assert.Equal("stays", cache.GetString("forever"));
        }
    }

    [Fact]
    public void DumpAndLoadKeepEveryEntrysExpiry()
    {
        using (ShmDistributedCache cache = NewCache("original"))
        {
            cache.SetString("soon", "a", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
            cache.SetString("later", "b", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) });
        }
        (int code, string jsonl) = Run("dump", "original", "--format", "jsonl");
        Assert.Equal(0, code);
        Assert.Contains("\"expiry\":", jsonl);
        string file = Path.Combine(_dir.Path, "dump.jsonl");
        File.WriteAllText(file, jsonl);
        Assert.Equal(0, Run("load", "copy", file).Code);
        using ShmDistributedCache copy = NewCache("copy");
        Assert.Equal("a", copy.GetString("soon"));
        Assert.Equal("b", copy.GetString("later"));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(copy.GetString("soon")); // its absolute expiry came with it
        Assert.Equal("b", copy.GetString("later"));
    }

    private ShmDistributedCache NewCache(string name) =>
        new(new ShmDistributedCacheOptions { MapName = name, Directory = _dir.Path, ExpirationScanFrequency = TimeSpan.FromDays(365) }, _clock);

    private (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run([.. args, "--dir", _dir.Path], output, output);
        return (code, output.ToString().ReplaceLineEndings("\n"));
    }
}
