using System.Globalization;

namespace ShmMaps.Workload;

/// <summary>
/// A measurement's outcome: throughput and latency percentiles over every process and of each, memory; and, for the
/// median of several rounds, how many rounds and the lowest and highest throughput among them.
/// </summary>
internal sealed record WorkloadResult(
    RunSpec Spec, double OperationsPerSecond, long P50, long P99, long P999, long? MemoryBytes, IReadOnlyList<ProcessFigures> PerProcess)
{
    public const string CsvHeader = "store,mix,distribution,keys,value_bytes,processes,ops_per_s,per_process_min,per_process_max,p50_ns,p99_ns,p999_ns,memory_bytes,bytes_per_entry,max_load,rounds,ops_lowest_round,ops_highest_round,vs_one_process";

    public int Rounds { get; init; } = 1;

    public double LowestRound { get; init; } = OperationsPerSecond;

    public double HighestRound { get; init; } = OperationsPerSecond;

    public double PerProcessMin => PerProcess.Min(p => p.OperationsPerSecond);

    public double PerProcessMax => PerProcess.Max(p => p.OperationsPerSecond);

    /// <summary>Throughput over one process's, the median over the rounds of each round's ratio (null without a 1-process measurement).</summary>
    public double? VersusOneProcess { get; init; }

    public double? BytesPerEntry => MemoryBytes is { } bytes ? (double)bytes / Spec.Keys : null;

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Spec.Store},{Spec.Mix},{Spec.Distribution},{Spec.Keys},{Spec.ValueSize},{Spec.Processes},{OperationsPerSecond:F0},{PerProcessMin:F0},{PerProcessMax:F0},{P50},{P99},{P999},{MemoryBytes},{BytesPerEntry:F1},{Spec.MaxLoad},{Rounds},{LowestRound:F0},{HighestRound:F0},{VersusOneProcess:F2}");

    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Spec.Store,-20} {Spec.Mix,-9} {Spec.Distribution,-8} {Spec.Keys,10:N0} {Spec.ValueSize,4} B x{Spec.Processes,-3} {OperationsPerSecond,14:N0} ops/s  " +
        $"p50 {Nanoseconds(P50),9} p99 {Nanoseconds(P99),9} p99.9 {Nanoseconds(P999),9}  {(BytesPerEntry is { } b ? $"{b,6:F1} B/entry" : "")}");

    /// <summary>A line per process (per thread, for an in-process store) under <see cref="ToLine"/>.</summary>
    public IEnumerable<string> ToProcessLines() => PerProcess.Select((p, i) => string.Create(CultureInfo.InvariantCulture,
        $"    {(Stores.Named(Spec.Store).InProcess ? "thread" : "process")} {i + 1} of {PerProcess.Count}: {p.OperationsPerSecond,14:N0} ops/s  " +
        $"p50 {Nanoseconds(p.P50),9} p99 {Nanoseconds(p.P99),9} p99.9 {Nanoseconds(p.P999),9}"));

    public static string Nanoseconds(long ns) => ns switch
    {
        < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{ns} ns"),
        < 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1000.0:F1} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000.0:F1} ms"),
    };
}
