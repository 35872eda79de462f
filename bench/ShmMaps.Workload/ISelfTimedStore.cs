using HdrHistogram;

namespace ShmMaps.Workload;

/// <summary>A store that times its own operations (a pipeline: an operation's latency is its batch's round trip).</summary>
internal interface ISelfTimedStore
{
    /// <summary>Where the store records each operation's latency, in nanoseconds.</summary>
    HistogramBase? Latencies { set; }
}
