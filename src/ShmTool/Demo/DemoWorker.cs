using System.Diagnostics;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// A demo reader process: looks random keys up, a fresh read guard per lookup, and whenever the clock key changes
/// records how long ago that change was written to the sidecar's file. Prints one JSON report a second.
/// </summary>
internal static class DemoWorker
{
    private const int Batch = 256;

    public static int Run(DemoWorkerVerb verb, TextWriter output)
    {
        var options = new ShmOptions { Directory = verb.Directory };
        using LeftRightReader<long, long> reader = LeftRightMap.OpenReader<long, long>(verb.Map, options);
        var random = new Random(verb.Id * 7919);
        long operations = 0;
        long lastClock = -1;
        var visible = new List<double>();
        long end = Stopwatch.GetTimestamp() + (verb.Seconds * Stopwatch.Frequency);
        long nextReport = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int second = 0;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= nextReport || now >= end)
            {
                bool done = now >= end;
                second++;
                output.WriteLine(Json.Line(new WorkerReport("reader", verb.Id, second, operations, Percentile(visible, 0.5), Percentile(visible, 0.99), done)));
                output.Flush();
                operations = 0;
                visible.Clear();
                nextReport += Stopwatch.Frequency;
                if (done)
                {
                    return 0;
                }
            }
            for (int i = 0; i < Batch; i++)
            {
                using ReadGuard<long, long> guard = reader.Guard();
                guard.TryGetValue(1 + random.Next(verb.Keys), out _);
            }
            operations += Batch;
            using (ReadGuard<long, long> guard = reader.Guard())
            {
                if (guard.TryGetValue(DemoFeed.ClockKey, out long written) && written != lastClock)
                {
                    lastClock = written;
                    visible.Add(Stopwatch.GetElapsedTime(written).TotalMicroseconds);
                }
            }
        }
    }

    private static double Percentile(List<double> samples, double fraction)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }
        samples.Sort();
        return samples[(int)Math.Min(samples.Count - 1, Math.Floor(fraction * samples.Count))];
    }
}
