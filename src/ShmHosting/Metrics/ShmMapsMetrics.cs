using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ShmMaps.Hosting;

/// <summary>
/// The instruments of meter <c>ShmMaps</c> (<c>dotnet-counters monitor --counters ShmMaps</c>), each tagged with the map:
/// publishes, batch size, publish latency, entries, the share of the capacity used, bad source lines, and for a replica its
/// lag behind the server (milliseconds from commit to publish, and write-ahead log bytes).
/// </summary>
public sealed class ShmMapsMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "ShmMaps";

    private readonly ConcurrentDictionary<string, WriterStatus> _writers = new();
    private readonly Counter<long> _publishes;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _badLines;
    private readonly Histogram<double> _replicationLag;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>.</summary>
    public ShmMapsMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _publishes = meter.CreateCounter<long>("shmmaps.publishes", "{batch}", "Batches published by writer services");
        _batchSize = meter.CreateHistogram<int>("shmmaps.publish.batch_size", "{change}", "Changes per published batch");
        _publishDuration = meter.CreateHistogram<double>("shmmaps.publish.duration", "ms", "Time to apply and publish one batch");
        _badLines = meter.CreateCounter<long>("shmmaps.source.bad_lines", "{line}", "Source lines skipped because they could not be read");
        _replicationLag = meter.CreateHistogram<double>("shmmaps.replication.lag", "ms", "Time from a transaction's commit on the server to its publish");
        meter.CreateObservableGauge("shmmaps.replication.lag_bytes", () => Observe(status => status.ReplicaLagBytes), "By",
            "Write-ahead log bytes of the server past what readers see");
        meter.CreateObservableGauge("shmmaps.entries", () => Observe(status => status.Entries), "{entry}", "Entries readers see");
        meter.CreateObservableGauge("shmmaps.capacity.used",
            () => Observe(status => status.Capacity == 0 ? 0.0 : (double)status.Entries / status.Capacity), description: "Entries over the capacity the map was created for");
    }

    internal WriterStatus Register(string mapName) => _writers.GetOrAdd(mapName, name => new WriterStatus(name));

    internal void RecordPublish(string mapName, int changes, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("map", mapName);
        _publishes.Add(1, tag);
        _batchSize.Record(changes, tag);
        _publishDuration.Record(duration.TotalMilliseconds, tag);
    }

    internal void RecordReplicationLag(string mapName, TimeSpan lag) =>
        _replicationLag.Record(lag.TotalMilliseconds, new KeyValuePair<string, object?>("map", mapName));

    internal void RecordBadLine(string source) => _badLines.Add(1, new KeyValuePair<string, object?>("source", source));

    private IEnumerable<Measurement<T>> Observe<T>(Func<WriterStatus, T> read) where T : struct =>
        _writers.Values.Select(status => new Measurement<T>(read(status), new KeyValuePair<string, object?>("map", status.MapName)));
}
