using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>SeqMap&lt;long,long&gt;</c> beside <c>ConcurrentDictionary&lt;long,long&gt;</c>: lookups and updates of
/// existing keys in random order, one thread, <see cref="OperationsPerInvoke"/> operations per call.
/// </summary>
[BenchmarkCategory("SeqMap")]
public class SeqMapBenchmarks
{
    private const int OperationsPerInvoke = 4096;
    private ConcurrentDictionary<long, long> _dictionary = null!;
    private SeqMap<long, long> _map = null!;
    private long[] _order = null!;
    private int _next;
    private ShmOptions _options = null!;

    [Params(1_000, 1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        long[] keys = BenchData.RandomKeys(Keys, random);
        _order = BenchData.RandomOrder(keys, 1 << 20, random);
        _options = BenchData.PrivateDirectory();
        _map = SeqMap<long, long>.Create("bench", Keys, _options);
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
        SeqMap<long, long>.Delete("bench", _options);
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
    public long SeqMapGet()
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

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("update")]
    public void ConcurrentDictionaryUpdate()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            long key = _order[next++ & (_order.Length - 1)];
            _dictionary[key] = i;
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("update")]
    public void SeqMapUpdate()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            long key = _order[next++ & (_order.Length - 1)];
            _map.Insert(key, i);
        }
        _next = next;
    }
}
