using System.Diagnostics;
using System.Globalization;
using ShmMaps.Inspection;
using ShmMaps.Tool.Commands;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Bench;

/// <summary>
/// <c>shm bench</c>: each kind's lookup and update on this machine, beside the same on a ConcurrentDictionary, in turns
/// of a few tens of milliseconds in one process (so both see the same machine at the same moments); the median of
/// each side's turns, in nanoseconds per operation.
/// </summary>
internal static class BenchCommand
{
    private static readonly TimeSpan s_turn = TimeSpan.FromMilliseconds(40);

    public static int Run(BenchVerb verb, TextWriter output)
    {
        string directory = Path.Combine(MapInspector.DirectoryOf(new ShmOptions { Directory = verb.Directory }), $"bench-{Environment.ProcessId}");
        var options = new ShmOptions { Directory = directory };
        var results = new List<BenchResult>();
        try
        {
            using var cases = new BenchCases(verb.Keys, options);
            foreach (BenchCase benchCase in cases.Cases.Where(c => verb.Kind is null || c.Kind.Contains(verb.Kind, StringComparison.OrdinalIgnoreCase)))
            {
                results.Add(Measure(benchCase, TimeSpan.FromSeconds(verb.Seconds)));
                if (!verb.Json)
                {
                    BenchResult r = results[^1];
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Kind,-13} {r.Operation,-22} {r.MapNanoseconds,8:F1} ns   ConcurrentDictionary {r.DictionaryNanoseconds,8:F1} ns   ratio {r.Ratio,5:F2}"));
                }
            }
            GC.KeepAlive(cases.Sink());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        if (verb.Json)
        {
            Json.Write(output, results);
        }
        else
        {
            output.WriteLine($"{verb.Keys:N0} keys, {verb.Seconds} s per case, one thread, {Environment.ProcessorCount} cores; ratio = the map's time over ConcurrentDictionary's (below 1: faster)");
        }
        return results.Count == 0 ? throw new ArgumentException($"no kind matches '{verb.Kind}'") : ExitCodes.Ok;
    }

    /// <summary>Turns of the map and of the dictionary until <paramref name="duration"/> has passed; the median of each side's turns.</summary>
    private static BenchResult Measure(BenchCase benchCase, TimeSpan duration)
    {
        int batch = Calibrate(benchCase.Map);
        var map = new List<double>();
        var dictionary = new List<double>();
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < duration || map.Count < 3)
        {
            map.Add(Turn(benchCase.Map, batch));
            dictionary.Add(Turn(benchCase.Dictionary, batch));
        }
        return new BenchResult(benchCase.Kind, benchCase.Operation, Median(map), Median(dictionary));
    }

    /// <summary>The batch size that makes a turn last about <see cref="s_turn"/> (after a warm-up).</summary>
    private static int Calibrate(Action<int> operation)
    {
        int batch = 1_000;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            operation(batch);
            TimeSpan took = Stopwatch.GetElapsedTime(start);
            if (took >= s_turn / 4 || batch >= 1 << 26)
            {
                return (int)Math.Clamp(batch * (s_turn / took), 1_000, 1 << 26);
            }
            batch *= 4;
        }
    }

    private static double Turn(Action<int> operation, int batch)
    {
        long start = Stopwatch.GetTimestamp();
        operation(batch);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / batch;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
