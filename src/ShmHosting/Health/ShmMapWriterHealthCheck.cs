using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ShmMaps.Hosting;

/// <summary>
/// The health of one writer service: Unhealthy when it does not hold the writer, changes have waited unpublished
/// longer than <see cref="ShmMapSettings.StaleAfter"/>, or a replica has been behind its server that long; Degraded when dead processes left reader slots pinned or
/// nine in ten reader slots are held; Healthy otherwise. The data says the publishes, the age of the last, the
/// entries and the reader slots.
/// </summary>
public sealed class ShmMapWriterHealthCheck : IHealthCheck
{
    private readonly string _mapName;
    private readonly ShmMapsMetrics _metrics;
    private readonly ShmMapsOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the check of map <paramref name="mapName"/>'s writer service.</summary>
    public ShmMapWriterHealthCheck(string mapName, ShmMapsMetrics metrics, IOptions<ShmMapsOptions> options, TimeProvider? time = null)
    {
        _mapName = mapName;
        _metrics = metrics;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        WriterStatus status = _metrics.Register(_mapName);
        DateTimeOffset now = _time.GetUtcNow();
        ReaderSlotCensus? slots = status.ReaderSlots();
        var data = new Dictionary<string, object>
        {
            ["writer held"] = status.WriterHeld,
            ["publishes"] = status.Publishes,
            ["entries"] = status.Entries,
            ["capacity"] = status.Capacity,
        };
        if (status.ReplicaBehindSince is { } since)
        {
            data["replica behind (s)"] = Math.Round((now - since).TotalSeconds, 3);
            data["replica lag (bytes)"] = status.ReplicaLagBytes;
        }
        if (status.LastPublish is { } last)
        {
            data["last publish age (s)"] = Math.Round((now - last).TotalSeconds, 3);
        }
        if (slots is { } census)
        {
            data["reader slots held"] = census.HeldByLiveThreads;
            data["reader slots"] = census.Total;
            data["reader slots pinned by dead processes"] = census.PinnedByDeadProcesses;
        }
        HealthCheckResult result = Judge(status, slots, now, data);
        return Task.FromResult(result);
    }

    private HealthCheckResult Judge(WriterStatus status, ReaderSlotCensus? slots, DateTimeOffset now, Dictionary<string, object> data)
    {
        if (!status.WriterHeld)
        {
            string why = status.Failure is { } failure ? $": {failure}" : " (not started, or stopped)";
            return HealthCheckResult.Unhealthy($"map '{_mapName}': the service does not hold the writer{why}", data: data);
        }
        TimeSpan staleAfter = _options.For(_mapName).StaleAfter;
        if (status.OldestPending is { } pending && now - pending > staleAfter)
        {
            return HealthCheckResult.Unhealthy(
                $"map '{_mapName}': changes have waited {(now - pending).TotalSeconds:F1} s unpublished (StaleAfter {staleAfter.TotalSeconds:F0} s)", data: data);
        }
        if (status.ReplicaBehindSince is { } behind && now - behind > staleAfter)
        {
            return HealthCheckResult.Unhealthy(
                $"map '{_mapName}': the replica has been behind its server for {(now - behind).TotalSeconds:F1} s (StaleAfter {staleAfter.TotalSeconds:F0} s)", data: data);
        }
        if (slots is { PinnedByDeadProcesses: > 0 } dead)
        {
            return HealthCheckResult.Degraded($"map '{_mapName}': {dead.PinnedByDeadProcesses} reader slot(s) left pinned by dead processes", data: data);
        }
        if (slots is { } census && census.HeldByLiveThreads * 10 >= census.Total * 9)
        {
            return HealthCheckResult.Degraded($"map '{_mapName}': {census.HeldByLiveThreads} of {census.Total} reader slots are held", data: data);
        }
        return HealthCheckResult.Healthy($"map '{_mapName}': {status.Publishes} publishes, {status.Entries} entries", data);
    }
}
