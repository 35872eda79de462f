using System.Collections.Concurrent;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>FolkloreMap&lt;int&gt;</c> beside <c>ConcurrentDictionary&lt;string,int&gt;</c> at 10 K string keys: lookups and
/// increments of existing keys in random order, one thread, with <c>string</c> keys and with UTF-8 span keys.
/// </summary>
[BenchmarkCategory("FolkloreMap")]
public class FolkloreMapBenchmarks
{
    private const int OperationsPerInvoke = 4096;
    private const int OrderLength = 1 << 16;
    private ConcurrentDictionary<string, int> _dictionary = null!;
    private FolkloreMap<int> _map = null!;
    private string[] _order = null!;
    private byte[][] _orderUtf8 = null!;
    private int _next;
    private ShmOptions _options = null!;

    [Params(10_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] keys = new string[Keys];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = $"service-{random.Next(1000)}/requests/{i}";
        }
        _order = new string[OrderLength];
        _orderUtf8 = new byte[OrderLength][];
        for (int i = 0; i < OrderLength; i++)
        {
            // Copies, so that neither map can compare by reference.
            _order[i] = new string(keys[random.Next(keys.Length)].AsSpan());
            _orderUtf8[i] = Encoding.UTF8.GetBytes(_order[i]);
        }
        _options = BenchData.PrivateDirectory();
        _map = FolkloreMap<int>.Create("bench-folklore", Keys, _options);
        _dictionary = new ConcurrentDictionary<string, int>();
        foreach (string key in keys)
        {
            _map.Insert(key, 1);
            _dictionary[key] = 1;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        FolkloreMap<int>.Delete("bench-folklore", _options);
        BenchData.Remove(_options);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("lookup")]
    public long ConcurrentDictionaryLookup()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary.TryGetValue(_order[next++ & (OrderLength - 1)], out int value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("lookup")]
    public long FolkloreLookupString()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValue(_order[next++ & (OrderLength - 1)], out int value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("lookup")]
    public long FolkloreLookupUtf8()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryGetValue(_orderUtf8[next++ & (OrderLength - 1)], out int value);
            sum += value;
        }
        _next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("increment")]
    public void ConcurrentDictionaryIncrement()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary.AddOrUpdate(_order[next++ & (OrderLength - 1)], 1, static (_, v) => v + 1);
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("increment")]
    public void FolkloreIncrementString()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.AddOrUpdate(_order[next++ & (OrderLength - 1)], 1, static v => v + 1);
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("increment")]
    public void FolkloreIncrementUtf8()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.AddOrUpdate(_orderUtf8[next++ & (OrderLength - 1)], 1, static v => v + 1);
        }
        _next = next;
    }
}
