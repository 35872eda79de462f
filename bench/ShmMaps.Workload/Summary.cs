using System.Globalization;
using System.Text;

namespace ShmMaps.Workload;

/// <summary>
/// The README's tables from results files, as Markdown: which store is fastest for each mix (one process), how each
/// scales with processes, and the memory each takes per entry.
/// </summary>
internal static class Summary
{
    public static int Write(IReadOnlyList<string> files, TextWriter output)
    {
        var rows = files.SelectMany(ResultRow.ReadAll).ToList();
        var stores = rows.Select(r => r.Store).Distinct().ToList();
        foreach (var group in rows.GroupBy(r => (r.Distribution, r.Keys, r.ValueBytes, r.MaxLoad)))
        {
            ResultRow first = group.First();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Operations per second, {first.Keys:N0} keys, {first.ValueBytes}-byte values, {first.Distribution} keys{(first.MaxLoad.Length > 0 ? $", MaxLoad {first.MaxLoad}" : "")}:"));
            output.WriteLine();
            output.Write(Fastest(group.ToList(), stores));
            output.WriteLine();
            foreach (var mix in group.GroupBy(r => r.Mix).Where(m => m.Select(r => r.Processes).Distinct().Count() > 1))
            {
                output.WriteLine($"Scaling, {mix.Key}:");
                output.WriteLine();
                output.Write(Scaling(mix.ToList(), stores));
                output.WriteLine();
            }
        }
        return 0;
    }

    /// <summary>Stores by mix: operations per second with one process, and p50 / p99 latency.</summary>
    private static string Fastest(List<ResultRow> rows, List<string> stores)
    {
        var mixes = rows.Select(r => r.Mix).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine($"| store | {string.Join(" | ", mixes)} | bytes per entry |");
        text.AppendLine($"|---|{string.Concat(mixes.Select(_ => "---:|"))}---:|");
        foreach (string store in stores.Where(s => rows.Any(r => r.Store == s)))
        {
            var cells = mixes.Select(mix => rows.FirstOrDefault(r => r.Store == store && r.Mix == mix && r.Processes == 1) is { } row
                ? $"{Rate(row.OperationsPerSecond)} ({Latency(row.P50)} / {Latency(row.P99)})"
                : "—");
            double? bytes = rows.First(r => r.Store == store).BytesPerEntry;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {store} | {string.Join(" | ", cells)} | {(bytes is { } b ? $"{b:F1}" : "")} |");
        }
        return text.ToString();
    }

    /// <summary>
    /// Stores by process count: operations per second over all processes (medians), and two processes over one (the
    /// median of the rounds' ratios where the file has it).
    /// </summary>
    private static string Scaling(List<ResultRow> rows, List<string> stores)
    {
        var counts = rows.Select(r => r.Processes).Distinct().Order().ToList();
        var text = new StringBuilder();
        text.AppendLine($"| store | {string.Join(" | ", counts.Select(c => c == 1 ? "1 process" : $"{c} processes"))} | 2 / 1 |");
        text.AppendLine($"|---|{string.Concat(counts.Select(_ => "---:|"))}---:|");
        foreach (string store in stores.Where(s => rows.Any(r => r.Store == s)))
        {
            double? RateOf(int count) => rows.FirstOrDefault(r => r.Store == store && r.Processes == count)?.OperationsPerSecond;
            ResultRow? twoProcesses = rows.FirstOrDefault(r => r.Store == store && r.Processes == 2);
            double? versusOne = twoProcesses?.VersusOneProcess ?? (RateOf(1) is { } one && RateOf(2) is { } two ? two / one : null);
            string ratio = versusOne is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "—";
            text.AppendLine($"| {store} | {string.Join(" | ", counts.Select(c => RateOf(c) is { } r ? Rate(r) : "—"))} | {ratio} |");
        }
        return text.ToString();
    }

    private static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:F1} M"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:F0} K"),
    };

    private static string Latency(long ns) => ns switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{ns} ns"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1000.0:F1} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:F1} ms"),
    };
}
