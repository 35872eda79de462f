using System.Diagnostics;
using ShmMaps.Inspection;

namespace ShmMaps.Tool.Watch;

/// <summary>One refresh of <c>shm watch</c>: the map's figures now and its rate since the sample before.</summary>
/// <param name="Name">The map.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Count">Entries (elements) now.</param>
/// <param name="Capacity">The capacity it was created for.</param>
/// <param name="UsedPercent">Count over capacity, in percent.</param>
/// <param name="Rate">Writes, publishes or entries added per second since the sample before.</param>
/// <param name="RateUnit">What <paramref name="Rate"/> counts.</param>
/// <param name="Lanes">The writer lanes ever claimed, with their processes.</param>
/// <param name="Details">The kind's own figures (reader slots of a left-right map, stripes locked, key store use).</param>
/// <param name="DeadHolders">What processes that died left holding: lanes mid-write, reader slots pinned, locks.</param>
internal sealed record WatchView(string Name, string Kind, long Count, long Capacity, double UsedPercent, double Rate, string RateUnit,
    IReadOnlyList<LaneDescription> Lanes, IReadOnlyDictionary<string, string> Details, IReadOnlyList<string> DeadHolders)
{
    public static WatchView Between(WatchSample before, WatchSample now)
    {
        MapDescription d = now.Description;
        double seconds = Math.Max(Stopwatch.GetElapsedTime(before.Timestamp, now.Timestamp).TotalSeconds, 1e-6);
        (double rate, string unit) = now.Writes is { } writes && before.Writes is { } earlier
            ? ((writes - earlier) / seconds, d.Kind == "LeftRightMap" ? "publishes/s" : "writes/s")
            : ((d.Count - before.Description.Count) / seconds, "entries added/s");
        var dead = d.Lanes.Where(l => !l.Alive && l.Intent is "Locking" or "Active" or "RollingForward").Select(l => $"lane {l.Index}: pid {l.Pid} died writing ({l.Intent})")
            .Concat(d.Details.Where(detail => detail.Value.Contains("(dead)", StringComparison.Ordinal) || detail.Value.Contains("dead,", StringComparison.Ordinal))
                .Select(detail => $"{detail.Key}: {detail.Value}"))
            .ToList();
        return new WatchView(d.Name, d.Kind, d.Count, d.Capacity, d.Capacity > 0 ? 100.0 * d.Count / d.Capacity : 0, rate, unit,
            d.Lanes, d.Details, dead);
    }
}
