using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ShmMaps.Hosting;

/// <summary>Adds ShmMaps to a host: options bound from configuration, the <c>ShmMaps</c> meter, and the maps registered on the builder.</summary>
public static class ShmMapsServiceCollectionExtensions
{
    /// <summary>Binds <see cref="ShmMapsOptions"/> from <paramref name="section"/> (usually <c>configuration.GetSection("ShmMaps")</c>).</summary>
    public static ShmMapsBuilder AddShmMaps(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<ShmMapsOptions>().Bind(section);
        return AddCore(services);
    }

    /// <summary>Configures <see cref="ShmMapsOptions"/> in code.</summary>
    public static ShmMapsBuilder AddShmMaps(this IServiceCollection services, Action<ShmMapsOptions> configure)
    {
        services.AddOptions<ShmMapsOptions>().Configure(configure);
        return AddCore(services);
    }

    private static ShmMapsBuilder AddCore(IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ShmMapsMetrics>();
        services.AddHealthChecks();
        return new ShmMapsBuilder(services);
    }
}
