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

    /// <summary>
    /// Takes the map with <paramref name="open"/> off the host's startup thread (opening and writing are synchronous and
    /// may wait on other processes) and runs <paramref name="write"/> on it. A map that cannot be taken stops the host,
    /// its reason logged (<paramref name="taking"/> says what failed) and reported; a failure of the writing is logged
    /// and reported; either way the map is released and closed at the end, then <paramref name="released"/> runs.
    /// </summary>
    protected async Task WriteAsync<TMap>(Func<TMap> open, string taking, Func<TMap, Task> write, Action? released = null)
        where TMap : IDisposable
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(write);
        await Task.Yield();
        TMap map;
        try
        {
            map = open();
        }
        catch (Exception e) when (e is ShmMapException or TimeoutException or IOException)
        {
            Logger.LogCritical(e, "map {Map}: cannot {Taking}: {Reason}", MapName, taking, e.Message);
            Status.Released(e.Message);
            Lifetime.StopApplication();
            throw;
        }
        string? failure = null;
        try
        {
            await write(map);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e.Message;
            Logger.LogCritical(e, "map {Map}: the writer service failed: {Reason}", MapName, e.Message);
            throw;
        }
        finally
        {
            Status.Released(failure);
            map.Dispose();
            released?.Invoke();
        }
    }
}
