namespace ShmMaps.Workload;

/// <summary>What a worker process prints when it is done: each of its threads' operations, seconds and latencies.</summary>
internal sealed record WorkerReport(int ProcessId, long? MemoryBytes, List<ThreadReport> Threads);
