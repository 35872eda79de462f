using System.Diagnostics;
using ShmMaps.Inspection;

namespace ShmMaps.Tool.Watch;

/// <summary>What <c>shm watch</c> reads of a map at one instant.</summary>
internal sealed record WatchSample(long Timestamp, MapDescription Description, long? Writes)
{
    public static WatchSample Take(string name, ShmOptions options) =>
        new(Stopwatch.GetTimestamp(), MapInspector.Describe(name, options), MapInspector.WriteCount(name, options));
}
