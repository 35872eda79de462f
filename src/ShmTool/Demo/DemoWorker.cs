using System.Diagnostics;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// A demo child process: a writer upserts random keys (writer 0 also ticks the clock key 0); a reader looks
/// random keys up and, whenever the clock key changes, records how long ago that write was made.
/// </summary>
internal static class DemoWorker
{
    public const long ClockKey = 0;
    private const int Batch = 256;

    public static int Run(DemoWorkerVerb verb, TextWriter output)
    {
        var options = new ShmOptions { Directory = verb.Directory };
        using var map = SeqMap<long, DemoValue>.Open(verb.Map, options);
        var random = new Random(verb.Id * 7919 + (verb.Role == "writer" ? 1 : 2));
        bool writer = verb.Role == "writer";
        long sequence = 0;
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
                output.WriteLine(Json.Line(new WorkerReport(verb.Role, verb.Id, second, operations, Percentile(visible, 0.5), Percentile(visible, 0.99), done)));
                output.Flush();
                operations = 0;
                visible.Clear();
                nextReport += Stopwatch.Frequency;
                if (done)
                {
                    return 0;
                }
            }
            if (writer)
            {
                for (int i = 0; i < Batch; i++)
                {
                    map.Insert(1 + random.Next(verb.Keys), new DemoValue(++sequence, Stopwatch.GetTimestamp()));
                }
                if (verb.Id == 0)
                {
                    map.Insert(ClockKey, new DemoValue(sequence, Stopwatch.GetTimestamp()));
                }
                operations += Batch;
            }
            else
            {
                for (int i = 0; i < Batch; i++)
                {
                    map.TryGetValue(1 + random.Next(verb.Keys), out _);
                }
                operations += Batch;
                if (map.TryGetValue(ClockKey, out DemoValue clock) && clock.Sequence != lastClock)
                {
                    lastClock = clock.Sequence;
                    visible.Add(Stopwatch.GetElapsedTime(clock.WrittenTimestamp).TotalMicroseconds);
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
