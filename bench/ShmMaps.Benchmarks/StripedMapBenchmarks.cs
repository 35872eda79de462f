using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>StripedMap&lt;long,long&gt;</c> beside <c>ConcurrentDictionary&lt;long,long&gt;</c>: lookups (version-checked,
/// and for comparison under the stripe lock) and <c>AddOrUpdate</c> increments of existing keys in random order.
/// </summary>
[BenchmarkCategory("StripedMap")]
public class StripedMapBenchmarks : LongKeyBenchmarks
{
    private StripedMap<long, long> _map = null!;

    [Params(1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long[] keys = Prepare(Keys);
        _map = StripedMap<long, long>.Create("bench-striped", Keys, Options);
        Array.ForEach(keys, key => _map.Insert(key, key));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        BenchData.Remove(Options); // the map's file with its directory
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long StripedGetVersionChecked()
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

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long StripedGetLocked()
    {
        long sum = 0;
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValueLocked(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("add-or-update")]
    public void ConcurrentDictionaryAddOrUpdate()
    {
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            Dictionary.AddOrUpdate(Order[next++ & (Order.Length - 1)], 1, static (_, v) => v + 1);
        }
        Next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("add-or-update")]
    public void StripedAddOrUpdate()
    {
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.AddOrUpdate(Order[next++ & (Order.Length - 1)], 1, static (_, v) => v + 1);
        }
        Next = next;
    }
}
