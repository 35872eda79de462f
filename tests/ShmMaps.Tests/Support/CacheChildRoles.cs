using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ShmMaps.Caching;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a shared cache test does, through <see cref="IDistributedCache"/> and <c>HybridCache</c> as an application would.</summary>
public static class CacheChildRoles
{
    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        var services = new ServiceCollection();
        services.AddShmDistributedCache(cache =>
        {
            cache.MapName = name;
            cache.Directory = options.Directory;
        });
        services.AddHybridCache();
        using ServiceProvider provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();
        switch (role)
        {
            case "cache-set":
                // KEY VALUE SECONDS: set, expiring SECONDS from now (absolute); prints "set".
                cache.SetString(args[0], args[1], new DistributedCacheEntryOptions
                {
                    AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)),
                });
                Console.WriteLine("set");
                return 0;
            case "cache-get":
                // KEY: prints the value, or "(miss)".
                Console.WriteLine(cache.GetString(args[0]) ?? "(miss)");
                return 0;
            case "cache-hybrid":
                // KEY: HybridCache.GetOrCreateAsync of KEY; prints the value and whether this process's factory made it.
                var hybrid = provider.GetRequiredService<HybridCache>();
                bool made = false;
                string value = hybrid.GetOrCreateAsync(args[0], token =>
                {
                    made = true;
                    return ValueTask.FromResult($"made by {Environment.ProcessId}");
                }).AsTask().GetAwaiter().GetResult();
                // HybridCache may write its L2 after handing the value back: the entry is in the shared map before this process says so.
                for (int tries = 0; cache.Get(args[0]) is null && tries < 500; tries++)
                {
                    Thread.Sleep(10);
                }
                Console.WriteLine($"{value}|{(made ? "factory" : "l2")}");
                return 0;
            case "cache-hybrid-hold":
                // KEY TAG ROUNDS: each round, puts KEY (tagged TAG) in this process's HybridCache, says "held N", and
                // watches its L1 alone until the entry leaves it, then says "gone N <Stopwatch timestamp>".
                var local = provider.GetRequiredService<HybridCache>();
                var l1Only = new HybridCacheEntryOptions
                {
                    Flags = HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite,
                };
                for (int round = 0; round < int.Parse(args[2], CultureInfo.InvariantCulture); round++)
                {
                    local.GetOrCreateAsync(args[0], _ => ValueTask.FromResult<string?>($"round {round}"), tags: [args[1]]).AsTask().GetAwaiter().GetResult();
                    Console.WriteLine($"held {round}");
                    while (local.GetOrCreateAsync(args[0], _ => ValueTask.FromResult<string?>(null), l1Only).AsTask().GetAwaiter().GetResult() is not null)
                    {
                        Thread.SpinWait(100);
                    }
                    Console.WriteLine($"gone {round} {System.Diagnostics.Stopwatch.GetTimestamp()}");
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 2;
        }
    }
}
