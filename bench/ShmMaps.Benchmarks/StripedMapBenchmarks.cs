using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>StripedMap&lt;long,long&gt;</c> beside <c>ConcurrentDictionary&lt;long,long&gt;</c>: lookups (version-checked,
/// and for comparison under the stripe lock) and <c>AddOrUpdate</c> increments of existing keys in random order.
/// </summary>
[BenchmarkCategory("StripedMap")]
public class StripedMapBenchmarks
{
    private const int OperationsPerInvoke = 4096;
    private ConcurrentDictionary<long, long> _dictionary = null!;
    private StripedMap<long, long> _map = null!;
    private long[] _order = null!;
    private int _next;
    private ShmOptions _options = null!;

    [Params(1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        long[] keys = BenchData.RandomKeys(Keys, random);
        _order = BenchData.RandomOrder(keys, 1 << 20, random);
        _options = BenchData.PrivateDirectory();
        _map = StripedMap<long, long>.Create("bench-striped", Keys, _options);
        _dictionary = new ConcurrentDictionary<long, long>();
        foreach (long key in keys)
        {
            _map.Insert(key, key);
            _dictionary[key] = key;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        StripedMap<long, long>.Delete("bench-striped", _options);
        BenchData.Remove(_options);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long ConcurrentDictionaryGet()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary.TryGetValue(_order[next++ & (_order.Length - 1)], out long value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long StripedGetVersionChecked()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValue(_order[next++ & (_order.Length - 1)], out long value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long StripedGetLocked()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValueLocked(_order[next++ & (_order.Length - 1)], out long value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("add-or-update")]
    public void ConcurrentDictionaryAddOrUpdate()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary.AddOrUpdate(_order[next++ & (_order.Length - 1)], 1, static (_, v) => v + 1);
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("add-or-update")]
    public void StripedAddOrUpdate()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.AddOrUpdate(_order[next++ & (_order.Length - 1)], 1, static (_, v) => v + 1);
        }
        _next = next;
    }
}
