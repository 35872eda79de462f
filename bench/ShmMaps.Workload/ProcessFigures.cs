namespace ShmMaps.Workload;

/// <summary>One process's (or, for an in-process store, one thread's) share of a measurement: throughput and latency percentiles (ns).</summary>
internal sealed record ProcessFigures(double OperationsPerSecond, long P50, long P99, long P999);
