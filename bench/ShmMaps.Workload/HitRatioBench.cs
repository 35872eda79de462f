using System.Diagnostics;

namespace ShmMaps.Workload;

/// <summary>
/// The hit ratio of a <see cref="BlobMap"/> held to a byte budget (its CLOCK eviction, in the map itself) against exact
/// LRU given the same bytes, on Zipfian traces (θ 0.8, 0.99, 1.2; popular keys scattered over the key space), each
/// alone and with one-time scans mixed in. A request reads its key and, on a miss, writes it (cache-aside).
/// </summary>
internal static class HitRatioBench
{
    public static int Run(long keys, long requests, int valueBytes, double[] budgets, string directory)
    {
        var options = new ShmOptions { Directory = directory };
        Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {keys:N0} keys of {valueBytes:N0}-byte values, {requests:N0} requests a trace");
        Console.WriteLine($"'+ scans': {keys / 5:N0} keys never asked again inserted every {requests / 10:N0} requests");
        Console.WriteLine($"{"trace",-20} {"budget",-16} {"exact LRU",10} {"BlobMap",10} {"difference",11} {"evictions",12} {"seconds",8}");
        byte[] value = new byte[valueBytes];
        long entryBytes = EntryBytes(Key(0).Length, valueBytes);
        foreach (double theta in (double[])[0.8, 0.99, 1.2])
        {
            var zipf = new ZipfianRanks(keys, theta);
            foreach (bool scans in (bool[])[false, true])
            {
                long[] trace = Trace(zipf, keys, requests, scans, seed: 1);
                foreach (double share in budgets)
                {
                    long budget = (long)(share * keys) * entryBytes;
                    double lru = ExactLru.HitRatio(trace, budget, entryBytes); // every key is as long
                    var clock = Stopwatch.StartNew();
                    (double map, long evictions) = MapHitRatio(trace, budget, value, options);
                    Console.WriteLine($"{$"zipf {theta}{(scans ? " + scans" : "")}",-20} {$"{share:P0} of the keys",-16} {lru,10:F3} {map,10:F3} {map - lru,11:+0.000;-0.000} {evictions,12:N0} {clock.Elapsed.TotalSeconds,8:F1}");
                }
            }
        }
        return 0;
    }

    private static string Key(long index) => $"key:{index:D12}";

    /// <summary>The bytes a map's entry of this key and value takes against its budget: its block, of its size class.</summary>
    private static long EntryBytes(int keyLength, int valueBytes)
    {
        using var probe = BlobMap.Create($"probe-{Environment.ProcessId}-{keyLength}-{valueBytes}", 1, new ShmOptions { Directory = "/dev/shm" });
        try
        {
            probe.Set(new string('k', keyLength), new byte[valueBytes]);
            return probe.LiveBytes;
        }
        finally
        {
            BlobMap.Delete(probe.Name, new ShmOptions { Directory = "/dev/shm" });
        }
    }

    private static (double HitRatio, long Evictions) MapHitRatio(long[] trace, long budget, byte[] value, ShmOptions options)
    {
        string name = "hit-ratio";
        BlobMap.Delete(name, options);
        using var map = BlobMap.Create(name, 1_000, options);
        map.MaxBytes = budget;
        long hits = 0;
        foreach (long index in trace)
        {
            string key = Key(index);
            if (map.ContainsKey(key))
            {
                hits++;
            }
            else
            {
                map.Set(key, value);
            }
        }
        long evictions = map.Evictions;
        map.Dispose();
        BlobMap.Delete(name, options);
        return ((double)hits / trace.Length, evictions);
    }

    /// <summary>Requests drawn from <paramref name="zipf"/>; with <paramref name="scans"/>, a fifth of the key space of fresh keys every tenth of the trace.</summary>
    private static long[] Trace(ZipfianRanks zipf, long keys, long requests, bool scans, int seed)
    {
        var random = new Random(seed);
        var trace = new List<long>((int)(requests * (scans ? 1.2 : 1)));
        long nextFresh = keys;
        for (long i = 0; i < requests; i++)
        {
            if (scans && i > 0 && i % (requests / 10) == 0)
            {
                for (long k = 0; k < keys / 5; k++)
                {
                    trace.Add(nextFresh++);
                }
            }
            trace.Add(zipf.Next(random));
        }
        return [.. trace];
    }

    /// <summary>Zipfian ranks by inverse CDF, the ranks shuffled over the key space (popular keys not 0, 1, 2...).</summary>
    private sealed class ZipfianRanks
    {
        private readonly double[] _cumulative;
        private readonly long[] _keyOfRank;

        public ZipfianRanks(long keys, double theta)
        {
            _cumulative = new double[keys];
            double total = 0;
            for (long rank = 0; rank < keys; rank++)
            {
                total += 1.0 / Math.Pow(rank + 1, theta);
                _cumulative[rank] = total;
            }
            for (long rank = 0; rank < keys; rank++)
            {
                _cumulative[rank] /= total;
            }
            _keyOfRank = new long[keys];
            for (long i = 0; i < keys; i++)
            {
                _keyOfRank[i] = i;
            }
            new Random(7).Shuffle(_keyOfRank);
        }

        public long Next(Random random)
        {
            int rank = Array.BinarySearch(_cumulative, random.NextDouble());
            return _keyOfRank[Math.Min(rank < 0 ? ~rank : rank, _keyOfRank.Length - 1)];
        }
    }

    /// <summary>Exact LRU by bytes: a hit moves the key to the front, a miss adds it and drops from the back until it fits.</summary>
    private static class ExactLru
    {
        public static double HitRatio(long[] trace, long budget, long entryBytes)
        {
            var order = new LinkedList<long>();
            var nodes = new Dictionary<long, LinkedListNode<long>>();
            long used = 0;
            long hits = 0;
            foreach (long key in trace)
            {
                if (nodes.TryGetValue(key, out LinkedListNode<long>? node))
                {
                    hits++;
                    order.Remove(node);
                    order.AddFirst(node);
                    continue;
                }
                long bytes = entryBytes;
                while (used + bytes > budget && order.Last is { } last)
                {
                    used -= entryBytes;
                    nodes.Remove(last.Value);
                    order.RemoveLast();
                }
                nodes[key] = order.AddFirst(key);
                used += bytes;
            }
            return (double)hits / trace.Length;
        }
    }
}
