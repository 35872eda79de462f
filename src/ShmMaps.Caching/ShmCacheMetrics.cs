using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ShmMaps.Caching;

/// <summary>
/// A cache's instruments in the <c>ShmMaps</c> meter, tagged with the map: <c>shmmaps.cache.hits</c>,
/// <c>shmmaps.cache.misses</c> and <c>shmmaps.cache.expirations</c> (expired entries this process removed) count this
/// process's calls; <c>shmmaps.cache.evictions</c> and <c>shmmaps.cache.bytes</c> read the map, for every process of it.
/// Hits, misses and expirations are also added to the map's own counts (<see cref="BlobMap.AddCacheCounts"/>), which
/// <c>shm info</c> sums over every process.
/// </summary>
internal sealed class ShmCacheMetrics : IDisposable
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _expirations;
    private readonly TagList _tags;

    /// <summary>The meter this cache made for itself (no meter factory given), disposed with it; null if the factory's.</summary>
    private readonly Meter? _own;

    private readonly BlobMap _map;

    /// <param name="map">The cache's map, whose own counts each read adds to.</param>
    /// <param name="meters">The factory whose <c>ShmMaps</c> meter takes the instruments (null: a meter of the cache's own).</param>
    /// <param name="readMap">Reads the map for the host-wide instruments: null once the cache is closed (nothing is reported then).</param>
    public ShmCacheMetrics(BlobMap map, IMeterFactory? meters, Func<Func<BlobMap, long>, long?> readMap)
    {
        _map = map;
        string mapName = map.Name;
        map.AddCacheCounts(0, 0, 0); // the counts' table made now, not by a read
        _own = meters is null ? new Meter(MeterName) : null;
        Meter meter = meters?.Create(MeterName) ?? _own!;
        _tags = new TagList { { "map", mapName } };
        _hits = meter.CreateCounter<long>("shmmaps.cache.hits", "{read}", "Cache reads that found a live entry");
        _misses = meter.CreateCounter<long>("shmmaps.cache.misses", "{read}", "Cache reads that found no entry, or an expired one");
        _expirations = meter.CreateCounter<long>("shmmaps.cache.expirations", "{entry}", "Expired entries removed by this process's reads and walks");
        TagList tags = _tags;
        meter.CreateObservableCounter("shmmaps.cache.evictions", () => Observe(readMap(static map => map.Evictions), tags), "{entry}",
            "Entries evicted to keep the map's byte budget, by every process of the map");
        meter.CreateObservableGauge("shmmaps.cache.bytes", () => Observe(readMap(static map => map.LiveBytes), tags), "By",
            "The bytes the map's entries take, as its budget counts them");
    }

    /// <summary>The meter's name, which the writer services' counters share.</summary>
    public const string MeterName = "ShmMaps";

    public void Dispose() => _own?.Dispose();

    private static IEnumerable<Measurement<long>> Observe(long? value, TagList tags) =>
        value is { } read ? [new Measurement<long>(read, tags)] : [];

    public void Read(bool hit)
    {
        (hit ? _hits : _misses).Add(1, _tags);
        _map.AddCacheCounts(hit ? 1 : 0, hit ? 0 : 1, 0);
    }

    public void Expired(int entries)
    {
        if (entries > 0)
        {
            _expirations.Add(entries, _tags);
            _map.AddCacheCounts(0, 0, entries);
        }
    }
}
