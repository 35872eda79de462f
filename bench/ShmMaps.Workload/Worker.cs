using System.Text.Json;

namespace ShmMaps.Workload;

/// <summary>
/// A worker process: opens the store (an in-process store is loaded here, with a thread per "process"), warms up, says
/// <c>ready</c>, waits for <c>go</c> on its input (so that all workers start together), runs, and prints its report.
/// </summary>
internal static class Worker
{
    public static int Run(RunSpec spec, int id)
    {
        StoreKind kind = Stores.Named(spec.Store);
        int threads = kind.InProcess ? spec.Processes : 1;
        long? memory = null;
        if (kind.InProcess)
        {
            kind.Load(spec);
            memory = kind.MemoryBytes(spec);
        }
        var handles = Enumerable.Range(0, threads).Select(t => kind.Open(spec, (id * 1000) + t)).ToArray();
        var draws = Enumerable.Range(0, threads).Select(t => WorkerLoop.Draw(spec, (id * 1000) + t + 1)).ToArray();
        try
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => WorkerLoop.Run(handles[t], draws[t].Indexes, draws[t].Operations, TimeSpan.FromSeconds(Math.Min(0.5, spec.Seconds / 4))));
            Console.WriteLine("ready");
            if (Console.ReadLine() != "go")
            {
                return 2;
            }
            var outcomes = new WorkerLoop.Outcome[threads];
            var running = Enumerable.Range(0, threads).Select(t => new Thread(() =>
                outcomes[t] = WorkerLoop.Run(handles[t], draws[t].Indexes, draws[t].Operations, TimeSpan.FromSeconds(spec.Seconds)))).ToList();
            running.ForEach(thread => thread.Start());
            running.ForEach(thread => thread.Join());
            var report = new WorkerReport(Environment.ProcessId, memory,
                [.. outcomes.Select(o => new ThreadReport(o.Operations, o.Seconds, HistogramText.Write(o.Latencies)))]);
            Console.WriteLine("result " + JsonSerializer.Serialize(report));
            return 0;
        }
        finally
        {
            foreach (IStore handle in handles)
            {
                handle.Dispose();
            }
            if (kind.InProcess)
            {
                kind.Drop(spec);
            }
        }
    }
}
