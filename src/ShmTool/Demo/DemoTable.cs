using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// The demo's table, once a second: a row per reader process (reads/s, write-to-visible latency) and a row for the
/// sidecar (lines written and publishes per second). Live (Spectre.Console) on a terminal, a plain line per second
/// otherwise; a summary row at the end.
/// </summary>
internal sealed class DemoTable(TextWriter output, int readers)
{
    /// <summary>Shows the table until the readers are done; returns the summary row (all seconds, all readers).</summary>
    public DemoRow Show(BlockingCollection<WorkerReport> reports, LeftRightReader<long, long> watcher, DemoFeed feed, int seconds)
    {
        bool live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var table = new Table().Border(TableBorder.Rounded).Title("ShmMaps demo: a sidecar publishing, readers reading")
            .AddColumns("process", "reads/s", "lines/s -> publishes/s", "visible p50", "visible p99");
        var all = new List<WorkerReport>();
        if (live)
        {
            AnsiConsole.Live(table).Start(context => Loop(reports, watcher, feed, seconds, all, rows =>
            {
                table.Rows.Clear();
                foreach (DemoRow row in rows)
                {
                    table.AddRow(row.Process, row.ReadsPerSecond, row.PublishesPerSecond, row.VisibleP50, row.VisibleP99);
                }
                context.Refresh();
            }));
        }
        else
        {
            output.WriteLine($"{"second",6}  {"process",-10}  {"reads/s",12}  {"lines/s -> publishes/s",24}  {"visible p50",12}  {"visible p99",12}");
            int second = 0;
            Loop(reports, watcher, feed, seconds, all, rows =>
            {
                second++;
                foreach (DemoRow row in rows)
                {
                    output.WriteLine($"{second,6}  {row.Process,-10}  {row.ReadsPerSecond,12}  {row.PublishesPerSecond,24}  {row.VisibleP50,12}  {row.VisibleP99,12}");
                }
            });
        }
        DemoRow total = Summary(all, seconds);
        output.WriteLine($"all {seconds} s: {total.ReadsPerSecond} reads/s over {readers} readers, visible p50 {total.VisibleP50}, worst p99 {total.VisibleP99}");
        output.WriteLine("visible: from a line written to the sidecar's file to a reader process seeing the change " +
            "(file poll, batch, publish, the reader's next look at the clock key)");
        return total;
    }

    private void Loop(BlockingCollection<WorkerReport> reports, LeftRightReader<long, long> watcher, DemoFeed feed, int seconds,
        List<WorkerReport> all, Action<List<DemoRow>> show)
    {
        var current = new Dictionary<int, WorkerReport>();
        int finished = 0;
        ulong lastSequence = Sequence(watcher);
        long lastLines = feed.Lines;
        long nextTick = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        long deadline = Stopwatch.GetTimestamp() + ((seconds + 30) * Stopwatch.Frequency);
        while (finished < readers && Stopwatch.GetTimestamp() < deadline)
        {
            if (reports.TryTake(out WorkerReport? report, TimeSpan.FromMilliseconds(50)))
            {
                all.Add(report);
                current[report.Id] = report;
                finished += report.Done ? 1 : 0;
            }
            if (Stopwatch.GetTimestamp() < nextTick && finished < readers)
            {
                continue;
            }
            nextTick += Stopwatch.Frequency;
            ulong sequence = Sequence(watcher);
            long lines = feed.Lines;
            var rows = current.OrderBy(r => r.Key).Select(r => new DemoRow($"reader {r.Key}", Count(r.Value.Operations), "",
                Micros(r.Value.VisibleP50Micros), Micros(r.Value.VisibleP99Micros))).ToList();
            rows.Add(new DemoRow("sidecar", "", $"{Count(lines - lastLines)} -> {Count((long)(sequence - lastSequence))}", "", ""));
            lastSequence = sequence;
            lastLines = lines;
            show(rows);
        }
    }

    private static DemoRow Summary(List<WorkerReport> all, int seconds)
    {
        double[] p50 = all.Where(r => !double.IsNaN(r.VisibleP50Micros)).Select(r => r.VisibleP50Micros).Order().ToArray();
        double[] p99 = all.Where(r => !double.IsNaN(r.VisibleP99Micros)).Select(r => r.VisibleP99Micros).ToArray();
        return new DemoRow("all", Count(all.Sum(r => r.Operations) / seconds), "",
            Micros(p50.Length == 0 ? double.NaN : p50[p50.Length / 2]), Micros(p99.Length == 0 ? double.NaN : p99.Max()));
    }

    private static ulong Sequence(LeftRightReader<long, long> watcher)
    {
        using ReadGuard<long, long> guard = watcher.Guard();
        return guard.Sequence;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Micros(double value) => double.IsNaN(value) ? "-"
        : value >= 1000 ? (value / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : value.ToString("0.0", CultureInfo.InvariantCulture) + " us";
}
