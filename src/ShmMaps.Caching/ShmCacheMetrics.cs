using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ShmMaps.Caching;

/// <summary>
/// A cache's counters in the <c>ShmMaps</c> meter, tagged with the map: <c>shmmaps.cache.hits</c>,
/// <c>shmmaps.cache.misses</c> and <c>shmmaps.cache.expirations</c> (expired entries this process removed). Each
/// process counts its own calls.
/// </summary>
internal sealed class ShmCacheMetrics
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _expirations;
    private readonly TagList _tags;

    public ShmCacheMetrics(string mapName, IMeterFactory? meters)
    {
        Meter meter = meters?.Create(MeterName) ?? s_meter;
        _hits = meter.CreateCounter<long>("shmmaps.cache.hits", "{read}", "Cache reads that found a live entry");
        _misses = meter.CreateCounter<long>("shmmaps.cache.misses", "{read}", "Cache reads that found no entry, or an expired one");
        _expirations = meter.CreateCounter<long>("shmmaps.cache.expirations", "{entry}", "Expired entries removed by this process's reads and walks");
        _tags = new TagList { { "map", mapName } };
    }

    /// <summary>The meter's name, which the writer services' counters share.</summary>
    public const string MeterName = "ShmMaps";

    /// <summary>The meter of caches made without a meter factory.</summary>
    private static readonly Meter s_meter = new(MeterName);

    public void Read(bool hit) => (hit ? _hits : _misses).Add(1, _tags);

    public void Expired(int entries)
    {
        if (entries > 0)
        {
            _expirations.Add(entries, _tags);
        }
    }
}
