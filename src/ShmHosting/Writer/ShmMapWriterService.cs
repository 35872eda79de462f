using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ShmMaps.Hosting;

/// <summary>
/// A hosted service that owns the writer of one <see cref="LeftRightMap"/> and keeps it current from an
/// <see cref="IChangeSource{TKey, TValue}"/>: changes are gathered into batches, and a batch is published when it
/// holds <see cref="ShmMapSettings.MaxBatch"/> changes or <see cref="ShmMapSettings.MaxDelay"/> after its first one.
/// On shutdown the changes already read are published, then the writer is released.
/// </summary>
/// <remarks>
/// The map is opened if it exists (a writer killed before leaves its last published state, which this one
/// continues from) and created otherwise. A live writer elsewhere is a <see cref="WriterBusyException"/> naming its
/// pid: the service logs it and stops the host. Readers in any process open the map by name.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public class ShmMapWriterService<TKey, TValue> : MapWriterService
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly IChangeSource<TKey, TValue> _source;

    /// <summary>Creates the service for map <paramref name="mapName"/>.</summary>
    public ShmMapWriterService(string mapName, IChangeSource<TKey, TValue> source, IOptions<ShmMapsOptions> options,
        ShmMapsMetrics metrics, ILogger<ShmMapWriterService<TKey, TValue>> logger, IHostApplicationLifetime lifetime)
        : base(mapName, options, metrics, logger, lifetime)
    {
        _source = source;
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => WriteAsync(OpenWriter, "take the writer", writer =>
        {
            Status.Held(writer.Capacity, writer.PublishedCount, writer.ReaderSlots);
            Logger.LogInformation("map {Map}: writer held (publish {Sequence}, {Entries} entries, capacity {Capacity})",
                MapName, writer.PublishSequence, writer.PublishedCount, writer.Capacity);
            return RunBatchesAsync(writer, stoppingToken);
        },
        released: () => Logger.LogInformation("map {Map}: writer released after {Publishes} publishes", MapName, Status.Publishes));

    private LeftRightWriter<TKey, TValue> OpenWriter()
    {
        ShmOptions options = Options.ToShmOptions(MapName);
        try
        {
            return LeftRightMap.OpenWriter<TKey, TValue>(MapName, options);
        }
        catch (MapNotFoundException)
        {
            try
            {
                return LeftRightMap.CreateWriter<TKey, TValue>(MapName, Options.For(MapName).Capacity, options);
            }
            catch (MapExistsException)
            {
                return LeftRightMap.OpenWriter<TKey, TValue>(MapName, options);   // another process created it meanwhile
            }
        }
    }

    private async Task RunBatchesAsync(LeftRightWriter<TKey, TValue> writer, CancellationToken stoppingToken)
    {
        ShmMapSettings settings = Options.For(MapName);
        var changes = Channel.CreateBounded<MapChange<TKey, TValue>>(new BoundedChannelOptions(Math.Max(1, settings.MaxBatch) * 4)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        Task pump = PumpAsync(changes.Writer, stoppingToken);
        var batch = new List<MapChange<TKey, TValue>>(settings.MaxBatch);
        try
        {
            while (await changes.Reader.WaitToReadAsync(stoppingToken))
            {
                Status.Pending(DateTimeOffset.UtcNow);
                Logger.LogDebug("map {Map}: changes waiting; gathering a batch", MapName);
                await GatherAsync(changes.Reader, batch, settings, stoppingToken);
                await PublishAsync(writer, batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: publish what was read below.
        }
        await pump;
        while (changes.Reader.TryRead(out MapChange<TKey, TValue> change))
        {
            batch.Add(change);
        }
        if (batch.Count > 0)
        {
            await PublishAsync(writer, batch, CancellationToken.None);
            Logger.LogInformation("map {Map}: published the last {Changes} changes at shutdown", MapName, batch.Count);
        }
    }

    /// <summary>Fills <paramref name="batch"/> until it holds MaxBatch changes, MaxDelay has passed, or the source ended.</summary>
    private static async Task GatherAsync(ChannelReader<MapChange<TKey, TValue>> reader, List<MapChange<TKey, TValue>> batch,
        ShmMapSettings settings, CancellationToken stoppingToken)
    {
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        delay.CancelAfter(settings.MaxDelay);
        while (batch.Count < settings.MaxBatch)
        {
            if (reader.TryRead(out MapChange<TKey, TValue> change))
            {
                batch.Add(change);
                continue;
            }
            try
            {
                if (!await reader.WaitToReadAsync(delay.Token))
                {
                    return;   // the source ended
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;   // MaxDelay passed
            }
        }
    }

    /// <summary>
    /// Publishes the batch, then tells the source the last position it reached. A batch the map could not take whole
    /// (it is full) is never confirmed: the source is told, and the service stops with the reason (Unhealthy).
    /// </summary>
    private async Task PublishAsync(LeftRightWriter<TKey, TValue> writer, List<MapChange<TKey, TValue>> batch, CancellationToken cancellationToken)
    {
        ulong position = 0;
        foreach (MapChange<TKey, TValue> change in batch)
        {
            position = Math.Max(position, change.Position);
        }
        int refused = Publish(writer, batch);
        if (refused > 0)
        {
            string reason = $"map '{MapName}' is full (created for {writer.Capacity}, grown as far as it may): {refused} new keys of a batch were refused, " +
                "so the source is not confirmed past them; create the map with a larger MaxCapacity, or none, and start again (it loads anew)";
            await _source.NotPublishedAsync(position, reason, CancellationToken.None);
            throw new MapFullException(reason);
        }
        if (position != 0)
        {
            await _source.PublishedAsync(position, cancellationToken);
        }
    }

    /// <summary>Publishes the batch whole but for the new keys the map refused; returns how many it refused.</summary>
    private int Publish(LeftRightWriter<TKey, TValue> writer, List<MapChange<TKey, TValue>> batch)
    {
        long start = Stopwatch.GetTimestamp();
        int refused = 0;
        using (WriteGuard<TKey, TValue> guard = writer.Guard())
        {
            foreach (MapChange<TKey, TValue> change in batch)
            {
                if (change.IsRemoval)
                {
                    guard.Remove(change.Key);
                    continue;
                }
                try
                {
                    guard.Insert(change.Key, change.Value);
                }
                catch (MapFullException)
                {
                    // The rest of the batch is still published; the map grows up to ShmMapSettings.MaxCapacity.
                    refused++;
                }
            }
        }
        TimeSpan took = Stopwatch.GetElapsedTime(start);
        Status.Published(writer.PublishedCount, DateTimeOffset.UtcNow);
        Metrics.RecordPublish(MapName, batch.Count, took);
        Logger.LogDebug("map {Map}: published {Changes} changes as publish {Sequence} in {Milliseconds:F2} ms",
            MapName, batch.Count, writer.PublishSequence, took.TotalMilliseconds);
        batch.Clear();
        return refused;
    }

    /// <summary>Copies the source into the channel; completes it when the source ends or shutdown begins.</summary>
    private async Task PumpAsync(ChannelWriter<MapChange<TKey, TValue>> channel, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (MapChange<TKey, TValue> change in _source.ReadAsync(stoppingToken).WithCancellation(stoppingToken))
            {
                // A change read from the source is never dropped at shutdown: written while there is room.
                if (!channel.TryWrite(change))
                {
                    await channel.WriteAsync(change, stoppingToken);
                }
            }
            Logger.LogInformation("map {Map}: the source ended", MapName);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Logger.LogError(e, "map {Map}: the source failed: {Reason}", MapName, e.Message);
            channel.TryComplete(e);
            return;
        }
        channel.TryComplete();
    }
}
