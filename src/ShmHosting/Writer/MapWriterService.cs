using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ShmMaps.Hosting;

/// <summary>What every writer service of one map shares: its name, settings, status, metrics, log and host.</summary>
public abstract class MapWriterService : BackgroundService
{
    /// <summary>Creates the service for map <paramref name="mapName"/>, its settings checked.</summary>
    protected MapWriterService(string mapName, IOptions<ShmMapsOptions> options, ShmMapsMetrics metrics, ILogger logger, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        MapName = mapName;
        Options = options.Value;
        Options.For(mapName).Validate(mapName);
        Metrics = metrics;
        Logger = logger;
        Lifetime = lifetime;
        Status = metrics.Register(mapName);
    }

    /// <summary>The map this service writes.</summary>
    public string MapName { get; }

    /// <summary>What the service reports to its health check and metrics.</summary>
    public WriterStatus Status { get; }

    /// <summary>The maps' settings.</summary>
    protected ShmMapsOptions Options { get; }

    /// <summary>The meter the service records to.</summary>
    protected ShmMapsMetrics Metrics { get; }

    /// <summary>The service's log.</summary>
    protected ILogger Logger { get; }

    /// <summary>The host, stopped when the service cannot take its map.</summary>
    protected IHostApplicationLifetime Lifetime { get; }
}
