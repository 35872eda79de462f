using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ShmMaps.Hosting;

/// <summary>
/// A hosted service that keeps a <see cref="BlobMap"/> current from an <see cref="IChangeSource{TKey, TValue}"/> of string
/// keys and byte values: each change is written as it comes (every write of a BlobMap is atomic and seen at once by every
/// reader), and the source is told the position of each change that ends a step once it is written.
/// </summary>
/// <remarks>
/// A BlobMap has no single writer: other processes may write it too, and this service never waits for them but per key.
/// A map the file system has no room for stops the service (Unhealthy) without confirming the change it refused.
/// </remarks>
public class BlobMapWriterService : MapWriterService
{
    private readonly IChangeSource<string, byte[]> _source;

    /// <summary>Creates the service for map <paramref name="mapName"/>.</summary>
    public BlobMapWriterService(string mapName, IChangeSource<string, byte[]> source, IOptions<ShmMapsOptions> options,
        ShmMapsMetrics metrics, ILogger<BlobMapWriterService> logger, IHostApplicationLifetime lifetime)
        : base(mapName, options, metrics, logger, lifetime)
    {
        _source = source;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        BlobMap map;
        try
        {
            map = BlobMap.OpenOrCreate(MapName, Options.For(MapName).Capacity, Options.ToShmOptions(MapName));
        }
        catch (Exception e) when (e is ShmMapException or IOException)
        {
            Logger.LogCritical(e, "map {Map}: cannot open it: {Reason}", MapName, e.Message);
            Status.Released(e.Message);
            Lifetime.StopApplication();
            throw;
        }
        Status.Held(map.Capacity, map.Count, static () => new ReaderSlotCensus(0, 0, 0));
        Logger.LogInformation("map {Map}: writing ({Entries} keys)", MapName, map.Count);
        string? failure = null;
        long written = 0;
        try
        {
            await foreach (MapChange<string, byte[]> change in _source.ReadAsync(stoppingToken).WithCancellation(stoppingToken))
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    if (change.IsRemoval)
                    {
                        map.TryRemove(change.Key);
                    }
                    else
                    {
                        map.Set(change.Key, change.Value);
                    }
                }
                catch (MapFullException e)
                {
                    await _source.NotPublishedAsync(change.Position, e.Message, CancellationToken.None);
                    throw;
                }
                catch (ArgumentException e)
                {
                    Logger.LogWarning("map {Map}: key '{Key}' skipped: {Reason}", MapName, change.Key, e.Message);
                    continue;
                }
                written++;
                // The map's count sums its stripes: read it now and then, not at every change.
                Status.Published(written % 1024 == 1 ? map.Count : Status.Entries, DateTimeOffset.UtcNow);
                Metrics.RecordPublish(MapName, 1, Stopwatch.GetElapsedTime(start));
                if (change.Position != 0)
                {
                    await _source.PublishedAsync(change.Position, stoppingToken);
                }
            }
            Status.Published(map.Count, DateTimeOffset.UtcNow);
            Logger.LogInformation("map {Map}: the source ended after {Changes} changes", MapName, written);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e.Message;
            Logger.LogCritical(e, "map {Map}: the writer service failed: {Reason}", MapName, e.Message);
            throw;
        }
        finally
        {
            Status.Released(failure);
            map.Dispose();
        }
    }
}
