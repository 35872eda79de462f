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
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WriteAsync(() => BlobMap.OpenOrCreate(MapName, Options.For(MapName).Capacity, Options.ToShmOptions(MapName)), "open it",
            map => WriteChangesAsync(map, stoppingToken));

    /// <summary>Writes each change of the source as it comes until the source ends or the host stops.</summary>
    private async Task WriteChangesAsync(BlobMap map, CancellationToken stoppingToken)
    {
        Status.Held(map.Capacity, map.Count, static () => new ReaderSlotCensus(0, 0, 0));
        Logger.LogInformation("map {Map}: writing ({Entries} keys)", MapName, map.Count);
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
    }
}
