using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ShmMaps.Caching;

/// <summary>Registers a <see cref="ShmDistributedCache"/>.</summary>
public static class ShmCachingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="ShmDistributedCache"/> as the <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/>
    /// (so that <c>HybridCache</c> uses it as its L2), configured by <paramref name="configure"/>; its clock is the
    /// <see cref="TimeProvider"/> registered, if one is, and its counters go to the registered <see cref="IMeterFactory"/>'s <c>ShmMaps</c> meter.
    /// With a <see cref="HybridCache"/> registered too, its L1 in this process follows the changes other processes make
    /// (<see cref="ShmDistributedCacheOptions.InvalidateHybridCache"/>).
    /// </summary>
    public static IServiceCollection AddShmDistributedCache(this IServiceCollection services, Action<ShmDistributedCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ShmDistributedCacheOptions>().Configure(configure);
        services.TryAddSingleton(provider =>
        {
            ShmDistributedCacheOptions options = provider.GetRequiredService<IOptions<ShmDistributedCacheOptions>>().Value;
            // HybridCache is made after the cache it uses as L2: it is resolved at the first change, not here.
            bool hybrid = options.InvalidateHybridCache && provider.GetService<IServiceProviderIsService>()?.IsService(typeof(HybridCache)) == true;
            return new ShmDistributedCache(options, provider.GetService<TimeProvider>(), provider.GetService<IMeterFactory>(),
                hybrid ? provider.GetService<HybridCache> : null);
        });
        services.Replace(ServiceDescriptor.Singleton<IDistributedCache>(provider => provider.GetRequiredService<ShmDistributedCache>()));
        services.Replace(ServiceDescriptor.Singleton<IBufferDistributedCache>(provider => provider.GetRequiredService<ShmDistributedCache>()));
        return services;
    }
}
