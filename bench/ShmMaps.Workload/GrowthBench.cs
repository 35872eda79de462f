using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using ShmMaps.Inspection;

namespace ShmMaps.Workload;

/// <summary>
/// What growing costs a <see cref="SeqMap{TKey,TValue}"/>, a <see cref="StripedMap{TKey,TValue}"/> and a <see cref="FolkloreMap{TValue}"/> (<see cref="GrowingKind"/>):
/// inserting N keys into a map created for 1,000 against one created for N (one thread, in turns); the get latency of
/// a reader process while this process grows a map from 1,000 to N keys, against the same reader once the map is
/// grown; and gets in the grown map against a fresh one. Then a LeftRightMap's publishes into a copy created small.
/// </summary>
internal static class GrowthBench
{
    private const long SmallCapacity = 1000;
    private const int ProgressSlot = 0;
    private const int PhaseSlot = 1;
    private const long Growing = 0;
    private const long Steady = 1;
    private const long Stop = 2;

    public static int Run(long keys, int rounds, double seconds, string directory, IReadOnlyList<GrowingKind> kinds)
    {
        var options = new ShmOptions { Directory = directory };
        Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {keys:N0} keys, {rounds} round(s)");
        var insertRatios = kinds.ToDictionary(kind => kind, _ => new List<double>());
        var getRatios = kinds.ToDictionary(kind => kind, _ => new List<double>());
        var leftRightRatios = new List<double>();
        WarmUp(kinds, keys / 10, options);
        for (int round = 1; round <= rounds; round++)
        {
            // Alternate which goes first, so that neither always meets the machine's warmer or colder moment.
            bool smallFirst = round % 2 == 1;
            foreach (GrowingKind kind in kinds)
            {
                double first = InsertRate(kind, smallFirst ? SmallCapacity : keys, keys, options);
                double second = InsertRate(kind, smallFirst ? keys : SmallCapacity, keys, options);
                (double grown, double sized) = smallFirst ? (first, second) : (second, first);
                insertRatios[kind].Add(grown / sized);
                Console.WriteLine($"round {round}: {kind.Name} insert {keys:N0} keys: created for {SmallCapacity:N0} {grown / 1e6:F2} M/s, created for {keys:N0} {sized / 1e6:F2} M/s, ratio {grown / sized:F2}");

                (HistogramBase during, HistogramBase after, long misses) = ReaderDuringGrowth(kind, keys, seconds, directory, options);
                Console.WriteLine($"round {round}: {kind.Name} reader process get while another grows the map: p50 {P(during, 50)} ns p99 {P(during, 99)} ns p99.9 {P(during, 99.9)} ns ({during.TotalCount:N0} timed); " +
                    $"once grown: p50 {P(after, 50)} ns p99 {P(after, 99)} ns p99.9 {P(after, 99.9)} ns; p99 ratio {(double)P(during, 99) / P(after, 99):F2}; keys not found {misses}");

                double ratio = GetTimeRatio(kind, keys, options);
                getRatios[kind].Add(ratio);
                Console.WriteLine($"round {round}: {kind.Name} get time in the grown map over a map created for {keys:N0}: {ratio:F2}");
            }

            (double Rate, long Bytes) firstInsert = LeftRightInsert(smallFirst ? SmallCapacity : keys, keys, options);
            (double Rate, long Bytes) secondInsert = LeftRightInsert(smallFirst ? keys : SmallCapacity, keys, options);
            ((double grownRate, long grownBytes), (double sizedRate, long sizedBytes)) = smallFirst ? (firstInsert, secondInsert) : (secondInsert, firstInsert);
            leftRightRatios.Add(grownRate / sizedRate);
            Console.WriteLine($"round {round}: LeftRightMap, insert {keys:N0} keys in guards of {LeftRightBatch:N0}: created for {SmallCapacity:N0} {grownRate / 1e6:F2} M/s " +
                $"({grownBytes:N0} bytes), created for {keys:N0} {sizedRate / 1e6:F2} M/s ({sizedBytes:N0} bytes); ratio {grownRate / sizedRate:F2}, memory {(double)grownBytes / sizedBytes:F2}");
        }
        foreach (GrowingKind kind in kinds)
        {
            Console.WriteLine($"{kind.Name}: insert ratio (created small / created sized) {Balanced(insertRatios[kind])}; median get-time ratio (grown / sized) {Median(getRatios[kind]):F2}");
        }
        Console.WriteLine($"LeftRightMap insert ratio {Balanced(leftRightRatios)}");
        return 0;
    }

    /// <summary>
    /// The median over pairs of rounds (the grown map first in one, second in the other) of each pair's geometric
    /// mean: whatever the first of two maps in a row pays (the memory the second then reuses, among others) is paid
    /// once by each, where a median of single rounds would lean to the order that has more rounds.
    /// </summary>
    private static string Balanced(List<double> ratios)
    {
        var pairs = new List<double>();
        for (int i = 0; i + 1 < ratios.Count; i += 2)
        {
            pairs.Add(Math.Sqrt(ratios[i] * ratios[i + 1]));
        }
        return pairs.Count == 0
            ? $"{ratios[0]:F2} (one round: the grown map first; give an even number of rounds)"
            : $"{Median(pairs):F2} (median of {pairs.Count} pair(s) of rounds, each the geometric mean of one round in either order)";
    }

    /// <summary>The reader process: gets keys already inserted, timing every 64th, into one histogram per phase.</summary>
    public static int Reader(string directory, GrowingKind kind)
    {
        var options = new ShmOptions { Directory = directory };
        using IStore map = kind.Open("growth", options);
        using var progress = SeqArray<long>.Open("growth-progress", options);
        var histograms = new[] { new LongHistogram(100_000_000_000L, 3), new LongHistogram(100_000_000_000L, 3) };
        var random = new Random(17);
        long misses = 0;
        Console.WriteLine("ready");
        long phase = Growing;
        while (phase != Stop)
        {
            long inserted = progress[ProgressSlot];
            phase = progress[PhaseSlot];
            if (inserted == 0)
            {
                continue;
            }
            LongHistogram histogram = histograms[phase == Growing ? 0 : 1];
            for (int i = 0; i < 1024; i++)
            {
                long index = random.NextInt64(inserted); // inserted before this get began
                if ((i & 63) == 0)
                {
                    long began = Stopwatch.GetTimestamp();
                    misses += map.Get(index) != 0 ? 0 : 1;
                    histogram.RecordValue(Math.Max(0, ((Stopwatch.GetTimestamp() - began) * WorkerLoop.NanosecondsPerTick) - WorkerLoop.ClockCost));
                }
                else
                {
                    misses += map.Get(index) != 0 ? 0 : 1;
                }
            }
        }
        Console.WriteLine(HistogramText.Write(histograms[0]));
        Console.WriteLine(HistogramText.Write(histograms[1]));
        Console.WriteLine(misses.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private const long LeftRightBatch = 10_000;

    /// <summary>A LeftRightMap writer created for <paramref name="capacity"/> entries publishing <paramref name="keys"/> new keys: keys/s, and the file's memory after.</summary>
    private static (double Rate, long Bytes) LeftRightInsert(long capacity, long keys, ShmOptions options)
    {
        var watch = Stopwatch.StartNew();
        using (var writer = LeftRightMap.CreateWriter<long, long>("growth-leftright", capacity, options))
        {
            for (long next = 0; next < keys; next += LeftRightBatch)
            {
                using var guard = writer.Guard();
                for (long i = next; i < Math.Min(next + LeftRightBatch, keys); i++)
                {
                    guard.Insert(KeyChooser.KeyOf(i), i);
                }
            }
            using (writer.Guard())
            {
                // An empty guard brings the other copy up to the last publish (and to its table size), as the next batch would.
            }
        }
        watch.Stop();
        long bytes = MapInspector.Describe("growth-leftright", options).AllocatedBytes;
        LeftRightMap.Delete("growth-leftright", options);
        return (keys / watch.Elapsed.TotalSeconds, bytes);
    }

    /// <summary>
    /// Runs every timed path once, untimed, on a tenth of the keys: until the JIT has compiled them fully, the map
    /// measured first would run slower code than the one after it, and the first round's ratio would measure the JIT.
    /// </summary>
    private static void WarmUp(IReadOnlyList<GrowingKind> kinds, long keys, ShmOptions options)
    {
        foreach (GrowingKind kind in kinds)
        {
            InsertRate(kind, SmallCapacity, keys, options);
            InsertRate(kind, keys, keys, options);
        }
        LeftRightInsert(SmallCapacity, keys, options);
        LeftRightInsert(keys, keys, options);
    }

    /// <summary>Keys/s of one thread putting <paramref name="keys"/> keys (values index + 1: 0 is a miss) into a map created for <paramref name="capacity"/>.</summary>
    private static double InsertRate(GrowingKind kind, long capacity, long keys, ShmOptions options)
    {
        using (IStore map = kind.Create("growth-insert", capacity, options))
        {
            var watch = Stopwatch.StartNew();
            for (long i = 0; i < keys; i++)
            {
                map.Put(i, i + 1);
            }
            watch.Stop();
            kind.Delete("growth-insert", options);
            return keys / watch.Elapsed.TotalSeconds;
        }
    }

    private static (HistogramBase During, HistogramBase After, long Misses) ReaderDuringGrowth(GrowingKind kind, long keys, double seconds, string directory, ShmOptions options)
    {
        using IStore map = kind.Create("growth", SmallCapacity, options);
        using var progress = SeqArray<long>.Create("growth-progress", 2, options);
        map.Put(0, 1);
        progress[ProgressSlot] = 1;
        using var reader = Process.Start(new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { typeof(GrowthBench).Assembly.Location, "growth-reader", "--dir", directory, "--kind", kind.Name },
            RedirectStandardOutput = true,
        })!;
        if (reader.StandardOutput.ReadLine() != "ready")
        {
            throw new InvalidOperationException("the reader process did not start");
        }
        for (long i = 1; i < keys; i++)
        {
            map.Put(i, i + 1);
            if ((i & 1023) == 0)
            {
                progress[ProgressSlot] = i + 1;
            }
        }
        progress[ProgressSlot] = keys;
        progress[PhaseSlot] = Steady;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        progress[PhaseSlot] = Stop;
        HistogramBase during = HistogramText.Read(reader.StandardOutput.ReadLine()!);
        HistogramBase after = HistogramText.Read(reader.StandardOutput.ReadLine()!);
        long misses = long.Parse(reader.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        reader.WaitForExit();
        map.Dispose();
        kind.Delete("growth", options);
        SeqArray<long>.Delete("growth-progress", options);
        return (during, after, misses);
    }

    /// <summary>Gets in a map grown from 1,000 to <paramref name="keys"/> over gets in one created for them: time per get, in 200 ms turns.</summary>
    private static double GetTimeRatio(GrowingKind kind, long keys, ShmOptions options)
    {
        var ratios = new List<double>();
        using (IStore grown = kind.Create("growth-grown", SmallCapacity, options))
        using (IStore sized = kind.Create("growth-sized", keys, options))
        {
            for (long i = 0; i < keys; i++)
            {
                grown.Put(i, i + 1);
                sized.Put(i, i + 1);
            }
            for (int turn = 0; turn < 10; turn++)
            {
                double grownTime = TimePerGet(grown, keys, turn);
                double sizedTime = TimePerGet(sized, keys, turn);
                ratios.Add(grownTime / sizedTime);
            }
        }
        kind.Delete("growth-grown", options);
        kind.Delete("growth-sized", options);
        return Median(ratios);
    }

    private static double TimePerGet(IStore map, long keys, int seed)
    {
        var random = new Random(seed);
        long sink = 0;
        long count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 200)
        {
            for (int i = 0; i < 1024; i++, count++)
            {
                sink += map.Get(random.NextInt64(keys));
            }
        }
        GC.KeepAlive(sink);
        return watch.Elapsed.TotalNanoseconds / count;
    }

    private static long P(HistogramBase histogram, double percentile) => histogram.GetValueAtPercentile(percentile);

    private static double Median(List<double> values)
    {
        var ordered = values.Order().ToList();
        return ordered[(ordered.Count - 1) / 2];
    }
}
