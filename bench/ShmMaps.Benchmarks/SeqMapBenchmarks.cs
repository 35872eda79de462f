using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>SeqMap&lt;long,long&gt;</c> beside <c>ConcurrentDictionary&lt;long,long&gt;</c>: lookups and updates of
/// existing keys in random order, one thread, <see cref="OperationsPerInvoke"/> operations per call.
/// </summary>
[BenchmarkCategory("SeqMap")]
public class SeqMapBenchmarks : LongKeyBenchmarks
{
    private SeqMap<long, long> _map = null!;

    [Params(1_000, 1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long[] keys = Prepare(Keys);
        _map = SeqMap<long, long>.Create("bench", Keys, Options);
        Array.ForEach(keys, key => _map.Insert(key, key));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        BenchData.Remove(Options); // the map's file with its directory
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long SeqMapGet()
    {
        long sum = 0;
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValue(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("update")]
    public void ConcurrentDictionaryUpdate()
    {
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            long key = Order[next++ & (Order.Length - 1)];
            Dictionary[key] = i;
        }
        Next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("update")]
    public void SeqMapUpdate()
    {
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            long key = Order[next++ & (Order.Length - 1)];
            _map.Insert(key, i);
        }
        Next = next;
    }
}
