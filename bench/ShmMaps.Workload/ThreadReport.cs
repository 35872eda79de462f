namespace ShmMaps.Workload;

/// <summary>One thread's part of a <see cref="WorkerReport"/>: operations, seconds, latencies (<see cref="HistogramText"/>).</summary>
internal sealed record ThreadReport(long Operations, double Seconds, string Latencies);
