using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using HdrHistogram;

namespace ShmMaps.Workload;

/// <summary>
/// Measures a group of stores under one mix: loads each store here once, then in each round measures every store with
/// every process count in turn (so that the stores compared share the machine's moods), and reports for each store and
/// count the round of median throughput. A measurement starts the worker processes, lets them warm up, starts them
/// together and merges what they report.
/// </summary>
internal static class Coordinator
{
    private static readonly TimeSpan s_patience = TimeSpan.FromMinutes(10);

    /// <summary>The outcome of measuring a group: results (medians over the rounds), failures and stores skipped.</summary>
    public sealed record GroupOutcome(List<WorkloadResult> Results, List<(RunSpec Spec, Exception Error)> Failures, List<(string Store, string Why)> Skipped);

    /// <summary>Measures each spec of <paramref name="specs"/> (one per store) with each of <paramref name="processCounts"/>, <paramref name="rounds"/> times.</summary>
    public static GroupOutcome Measure(IReadOnlyList<RunSpec> specs, IReadOnlyList<int> processCounts, int rounds)
    {
        var outcome = new GroupOutcome([], [], []);
        var toDrop = new List<(RunSpec Spec, StoreKind Kind)>();
        var ready = new List<(RunSpec Spec, StoreKind Kind, long? Memory)>();
        try
        {
            foreach (RunSpec spec in specs)
            {
                StoreKind kind = Stores.Named(spec.Store);
                if (kind.Unfit(spec.Mix, spec.ValueSize) is { } why)
                {
                    outcome.Skipped.Add((spec.Store, why));
                }
                else if (kind.InProcess)
                {
                    ready.Add((spec, kind, null));
                }
                else
                {
                    try
                    {
                        Directory.CreateDirectory(spec.Directory);
                        toDrop.Add((spec, kind));
                        kind.Load(spec);
                        ready.Add((spec, kind, kind.MemoryBytes(spec)));
                    }
                    catch (Exception e) when (e is InvalidOperationException or IOException or ShmMapException)
                    {
                        outcome.Failures.Add((spec, e));
                    }
                }
            }
            var measured = new Dictionary<(string Store, int Processes), Dictionary<int, WorkloadResult>>();
            for (int round = 0; round < rounds; round++)
            {
                foreach ((RunSpec spec, StoreKind kind, long? memory) in ready)
                {
                    foreach (int processes in processCounts)
                    {
                        RunSpec one = spec with { Processes = processes };
                        try
                        {
                            WorkloadResult result = Run(one, kind, memory);
                            Console.WriteLine($"  round {round + 1}/{rounds}: {result.ToLine()}");
                            (CollectionsMarshal.GetValueRefOrAddDefault(measured, (spec.Store, processes), out _) ??= [])[round] = result;
                        }
                        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or JsonException)
                        {
                            outcome.Failures.Add((one, e));
                        }
                    }
                }
            }
            foreach (((string store, _), Dictionary<int, WorkloadResult> byRound) in measured)
            {
                var ordered = byRound.Values.OrderBy(r => r.OperationsPerSecond).ToList();
                outcome.Results.Add(ordered[(ordered.Count - 1) / 2] with
                {
                    Rounds = ordered.Count,
                    LowestRound = ordered[0].OperationsPerSecond,
                    HighestRound = ordered[^1].OperationsPerSecond,
                    VersusOneProcess = measured.TryGetValue((store, 1), out var ones) ? MedianRatio(byRound, ones) : null,
                });
            }
            return outcome;
        }
        finally
        {
            foreach ((RunSpec spec, StoreKind kind) in toDrop)
            {
                kind.Drop(spec);
            }
        }
    }

    /// <summary>
    /// The median over the rounds of this count's throughput over one process's in the same round (measured minutes
    /// apart, the two medians would carry the machine's changes of mood into their ratio).
    /// </summary>
    private static double? MedianRatio(Dictionary<int, WorkloadResult> byRound, Dictionary<int, WorkloadResult> oneProcess)
    {
        double[] ratios = [.. byRound.Where(r => oneProcess.ContainsKey(r.Key))
            .Select(r => r.Value.OperationsPerSecond / oneProcess[r.Key].OperationsPerSecond).Order()];
        return ratios.Length == 0 ? null : ratios[(ratios.Length - 1) / 2];
    }

    private static WorkloadResult Run(RunSpec spec, StoreKind kind, long? memory)
    {
        int processes = kind.InProcess ? 1 : spec.Processes;
        var workers = Enumerable.Range(0, processes).Select(id => Start(spec, id)).ToList();
        try
        {
            foreach (Process worker in workers)
            {
                Expect(worker, "ready");
            }
            foreach (Process worker in workers)
            {
                worker.StandardInput.WriteLine("go");
                worker.StandardInput.Flush();
            }
            var reports = workers.Select(worker => JsonSerializer.Deserialize<WorkerReport>(Expect(worker, "result ")["result ".Length..])!).ToList();
            return Merge(spec, reports, memory ?? reports.Select(r => r.MemoryBytes).FirstOrDefault(m => m is not null));
        }
        finally
        {
            foreach (Process worker in workers)
            {
                if (!worker.WaitForExit(30_000))
                {
                    worker.Kill();
                }
                worker.Dispose();
            }
        }
    }

    private static WorkloadResult Merge(RunSpec spec, List<WorkerReport> reports, long? memory)
    {
        HistogramBase all = new LongHistogram(100_000_000_000L, 3);
        var perProcess = new List<ProcessFigures>();
        foreach (ThreadReport thread in reports.SelectMany(r => r.Threads))
        {
            HistogramBase latencies = HistogramText.Read(thread.Latencies);
            all.Add(latencies);
            perProcess.Add(new ProcessFigures(thread.Operations / thread.Seconds,
                latencies.GetValueAtPercentile(50), latencies.GetValueAtPercentile(99), latencies.GetValueAtPercentile(99.9)));
        }
        return new WorkloadResult(spec, perProcess.Sum(p => p.OperationsPerSecond),
            all.GetValueAtPercentile(50), all.GetValueAtPercentile(99), all.GetValueAtPercentile(99.9), memory, perProcess);
    }

    private static Process Start(RunSpec spec, int id)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        string self = typeof(Coordinator).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add("--id");
        start.ArgumentList.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string argument in spec.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    /// <summary>The next line of <paramref name="worker"/> that starts with <paramref name="prefix"/> (others are passed through).</summary>
    private static string Expect(Process worker, string prefix)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_patience)
        {
            string? line = worker.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"worker {worker.Id} ended (exit code {(worker.WaitForExit(1000) ? worker.ExitCode : -1)}) before saying '{prefix.Trim()}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
            Console.Error.WriteLine($"worker {worker.Id}: {line}");
        }
        throw new TimeoutException($"worker {worker.Id} did not say '{prefix.Trim()}' in {s_patience}");
    }
}
