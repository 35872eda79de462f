using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// <c>shm demo</c>: creates a SeqMap, starts writer and reader processes on it, prints their throughput and
/// the write-to-visible latency each second, checks the map, and cleans up.
/// </summary>
internal static class DemoCommand
{
    public static int Run(DemoVerb verb, TextWriter output)
    {
        if (verb.Seconds < 1 || verb.Writers < 1 || verb.Readers < 1 || verb.Keys < 1)
        {
            throw new ArgumentException("--seconds, --writers, --readers and --keys must be at least 1");
        }
        bool ownDirectory = verb.Directory is null;
        string directory = verb.Directory ?? Path.Combine(MapInspector.DirectoryOf(), $"demo-{Environment.ProcessId}");
        var options = new ShmOptions { Directory = directory };
        string name = "demo";
        var workers = new List<Process>();
        try
        {
            using (var map = SeqMap<long, DemoValue>.Create(name, verb.Keys + 1L, options))
            {
                for (long key = 0; key <= verb.Keys; key++)
                {
                    map.Insert(key, new DemoValue(0, Stopwatch.GetTimestamp()));
                }
                output.WriteLine($"SeqMap<long, DemoValue> '{name}' in {directory}: {map.Count} keys; {verb.Writers} writer and {verb.Readers} reader processes for {verb.Seconds} s");
            }

            var reports = new BlockingCollection<WorkerReport>();
            foreach ((string role, int count) in new[] { ("writer", verb.Writers), ("reader", verb.Readers) })
            {
                for (int id = 0; id < count; id++)
                {
                    Process worker = SelfProcess.Start(["demo-worker", "--role", role, "--map", name, "--dir", directory,
                        "--id", id.ToString(CultureInfo.InvariantCulture), "--keys", verb.Keys.ToString(CultureInfo.InvariantCulture),
                        "--seconds", verb.Seconds.ToString(CultureInfo.InvariantCulture)]);
                    workers.Add(worker);
                    worker.OutputDataReceived += (_, e) => Collect(e.Data, reports);
                    worker.BeginOutputReadLine();
                }
            }

            PrintLive(output, reports, workers.Count, verb.Seconds);
            foreach (Process worker in workers)
            {
                worker.WaitForExit();
                if (worker.ExitCode != 0)
                {
                    output.WriteLine($"worker {worker.Id} exited with {worker.ExitCode}");
                }
            }

            CheckReport check = MapInspector.Check(name, options);
            output.WriteLine(check.IsSound ? $"check: ok ({check.Examined} cells and locks)" : $"check: {string.Join("; ", check.Problems)}");
            return check.IsSound && workers.All(w => w.ExitCode == 0) ? 0 : 1;
        }
        finally
        {
            foreach (Process worker in workers.Where(w => !w.HasExited))
            {
                worker.Kill();
            }
            MapInspector.Delete(name, options);
            if (ownDirectory && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static void Collect(string? line, BlockingCollection<WorkerReport> reports)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        try
        {
            if (JsonSerializer.Deserialize<WorkerReport>(line, Json.Compact) is { } report)
            {
                reports.Add(report);
            }
        }
        catch (JsonException)
        {
            // Not a report line: ignore.
        }
    }

    private static void PrintLive(TextWriter output, BlockingCollection<WorkerReport> reports, int workerCount, int seconds)
    {
        var bySecond = new SortedDictionary<int, List<WorkerReport>>();
        int finished = 0;
        int printed = 0;
        var all = new List<WorkerReport>();
        output.WriteLine($"{"second",6}  {"writes/s",12}  {"reads/s",12}  {"visible p50",12}  {"visible p99",12}");
        long deadline = Stopwatch.GetTimestamp() + ((seconds + 30) * Stopwatch.Frequency);
        while (finished < workerCount && Stopwatch.GetTimestamp() < deadline)
        {
            if (!reports.TryTake(out WorkerReport? report, TimeSpan.FromMilliseconds(200)))
            {
                continue;
            }
            all.Add(report);
            finished += report.Done ? 1 : 0;
            if (!bySecond.TryGetValue(report.Second, out List<WorkerReport>? list))
            {
                bySecond[report.Second] = list = [];
            }
            list.Add(report);
            while (bySecond.TryGetValue(printed + 1, out List<WorkerReport>? row) && row.Count == workerCount)
            {
                printed++;
                output.WriteLine(Row(printed.ToString(CultureInfo.InvariantCulture), row));
            }
        }
        output.WriteLine(Row("all", all, perSecond: false, seconds));
        output.WriteLine("visible: time from a write in one process to a reader process seeing it (includes the reader's polling every 256 lookups);");
        output.WriteLine("p50 is the median over readers and seconds, p99 the worst reader-second's 99th percentile");
    }

    private static string Row(string label, List<WorkerReport> reports, bool perSecond = true, int seconds = 1)
    {
        double divisor = perSecond ? 1 : seconds;
        long writes = reports.Where(r => r.Role == "writer").Sum(r => r.Operations);
        long reads = reports.Where(r => r.Role == "reader").Sum(r => r.Operations);
        double[] p50 = reports.Where(r => r.Role == "reader" && !double.IsNaN(r.VisibleP50Micros)).Select(r => r.VisibleP50Micros).ToArray();
        double[] p99 = reports.Where(r => r.Role == "reader" && !double.IsNaN(r.VisibleP99Micros)).Select(r => r.VisibleP99Micros).ToArray();
        static string Micro(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", CultureInfo.InvariantCulture) + " us";
        double median = p50.Length == 0 ? double.NaN : p50.Order().ElementAt(p50.Length / 2);
        double worst = p99.Length == 0 ? double.NaN : p99.Max();
        return $"{label,6}  {writes / divisor,12:N0}  {reads / divisor,12:N0}  {Micro(median),12}  {Micro(worst),12}";
    }
}
