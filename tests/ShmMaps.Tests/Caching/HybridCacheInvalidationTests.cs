using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ShmMaps.Caching;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Caching;

/// <summary>HybridCache in two processes over one shared map: what one removes, replaces or invalidates by tag leaves the other's L1.</summary>
public sealed class HybridCacheInvalidationTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 10;

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public enum Change
    {
        Remove,
        Replace,
        RemoveByTag,
    }

    [Theory]
    [InlineData(Change.Remove)]
    [InlineData(Change.Replace)]
    [InlineData(Change.RemoveByTag)]
    public async Task AChangeInOneProcessClearsTheOthersLocalCacheWithinTenMilliseconds(Change change)
    {
        using ServiceProvider provider = HybridServices();
        var hybrid = provider.GetRequiredService<HybridCache>();
        using var child = ChildProcess.Start("cache-hybrid-hold", _dir.Path, "shared", "greeting", "greetings", Rounds);
        var latencies = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            child.WaitFor($"held {round}");
            await Task.Delay(20); // the child is watching its L1 by now
            long before = Stopwatch.GetTimestamp();
            switch (change)
            {
                case Change.Remove:
                    await hybrid.RemoveAsync("greeting");
                    break;
                case Change.Replace:
                    await hybrid.SetAsync("greeting", $"replaced {round}");
                    break;
                case Change.RemoveByTag:
                    await hybrid.RemoveByTagAsync("greetings");
                    break;
            }
            string[] gone = child.WaitForContaining($"gone {round} ", TimeSpan.FromSeconds(10)).Split(' ');
            latencies.Add((long.Parse(gone[2], CultureInfo.InvariantCulture) - before) * 1000.0 / Stopwatch.Frequency);
        }
        Assert.Equal(0, child.WaitForExit());
        latencies.Sort();
        output.WriteLine($"{change}: the other process's L1 cleared after {string.Join(", ", latencies.Select(ms => ms.ToString("F2", CultureInfo.InvariantCulture)))} ms");
        Assert.True(latencies[Rounds / 2] < 10, $"median {latencies[Rounds / 2]:F2} ms");
    }

    [Fact]
    public async Task AProcessWithoutHybridCacheOrWithTheOptionOffLogsNothing()
    {
        var services = new ServiceCollection();
        services.AddShmDistributedCache(cache =>
        {
            cache.MapName = "plain";
            cache.Directory = _dir.Path;
        });
        using (ServiceProvider plain = services.BuildServiceProvider())
        {
            plain.GetRequiredService<ShmDistributedCache>().Set("k", [1], new());
            Assert.Equal(0, plain.GetRequiredService<ShmDistributedCache>().Map.Census().ChangeLogBytes);
        }
        using ServiceProvider off = HybridServices(invalidate: false);
        await off.GetRequiredService<HybridCache>().SetAsync("k", "v");
        Assert.Equal(0, off.GetRequiredService<ShmDistributedCache>().Map.Census().ChangeLogBytes);
    }

    private ServiceProvider HybridServices(bool invalidate = true)
    {
        var services = new ServiceCollection();
        services.AddShmDistributedCache(cache =>
        {
            cache.MapName = invalidate ? "shared" : "quiet";
            cache.Directory = _dir.Path;
            cache.InvalidateHybridCache = invalidate;
        });
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
