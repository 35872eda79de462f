using System.Diagnostics;
using HdrHistogram;

namespace ShmMaps.Workload;

/// <summary>
/// One thread's run of a mix against a store: the key indexes and operations drawn ahead of time (so the loop costs a
/// few instructions beside the store's), every 8th operation timed on its own.
/// </summary>
internal static class WorkerLoop
{
    private const int Drawn = 1 << 20;

    /// <summary>Stopwatch ticks to nanoseconds (1 on Linux, where the clock counts nanoseconds).</summary>
    public static readonly long NanosecondsPerTick = Math.Max(1, 1_000_000_000 / Stopwatch.Frequency);

    /// <summary>What reading the clock twice costs (the median of many tries): taken off every latency measured.</summary>
    public static long ClockCost { get; } = MeasureClockCost();

    /// <summary>What a run did: operations, seconds, the latencies of the timed ones (ns).</summary>
    public sealed record Outcome(long Operations, double Seconds, HistogramBase Latencies);

    /// <summary>The draws of worker <paramref name="seed"/>: key indexes and operations, cycled through by the loop.</summary>
    public static (long[] Indexes, Operation[] Operations) Draw(RunSpec spec, int seed)
    {
        var chooser = new KeyChooser(spec.Keys, spec.Distribution, seed);
        var random = new Random(seed ^ 0x5EED);
        int reads = spec.Mix switch { Mix.Read100 => 100, Mix.Read95 => 95, Mix.Read50 => 50, _ => 0 };
        long[] indexes = new long[Drawn];
        Operation[] operations = new Operation[Drawn];
        for (int i = 0; i < Drawn; i++)
        {
            indexes[i] = chooser.Next();
            operations[i] = spec.Mix == Mix.Increment ? Operation.Increment : random.Next(100) < reads ? Operation.Get : Operation.Put;
        }
        return (indexes, operations);
    }

    /// <summary>Runs the draws against <paramref name="store"/> for <paramref name="duration"/>.</summary>
    public static Outcome Run(IStore store, long[] indexes, Operation[] operations, TimeSpan duration)
    {
        var latencies = new LongHistogram(100_000_000_000L, 3);
        bool selfTimed = store is ISelfTimedStore;
        if (store is ISelfTimedStore timed)
        {
            timed.Latencies = latencies;
        }
        long sink = 0;
        long count = 0;
        int at = 0;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            for (int i = 0; i < 256; i++, count++, at = (at + 1) & (Drawn - 1))
            {
                bool timeIt = !selfTimed && (count & 63) == 0;
                long began = timeIt ? Stopwatch.GetTimestamp() : 0;
                switch (operations[at])
                {
                    case Operation.Get:
                        sink += store.Get(indexes[at]);
                        break;
                    case Operation.Put:
                        store.Put(indexes[at], count);
                        break;
                    default:
                        store.Increment(indexes[at]);
                        break;
                }
                if (timeIt)
                {
                    latencies.RecordValue(Math.Max(0, ((Stopwatch.GetTimestamp() - began) * NanosecondsPerTick) - ClockCost));
                }
            }
            if (Stopwatch.GetTimestamp() >= end)
            {
                break;
            }
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(sink);
        return new Outcome(count, seconds, latencies);
    }

    private static long MeasureClockCost()
    {
        long[] tries = new long[100_001];
        for (int i = 0; i < tries.Length; i++)
        {
            long began = Stopwatch.GetTimestamp();
            tries[i] = (Stopwatch.GetTimestamp() - began) * NanosecondsPerTick;
        }
        Array.Sort(tries);
        return tries[tries.Length / 2];
    }
}
