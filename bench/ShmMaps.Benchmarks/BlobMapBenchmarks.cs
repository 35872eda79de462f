using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>BlobMap</c> beside <c>ConcurrentDictionary&lt;string, byte[]&gt;</c> (the in-process bound): 1 M keys of 16 bytes with
/// values of 100 bytes, one thread, random order. A get copies the value into a reused buffer (the dictionary hands out
/// its array); a lease reads it in place; a set writes a new value of an existing key (the dictionary stores a new array).
/// </summary>
[BenchmarkCategory("BlobMap")]
public class BlobMapBenchmarks
{
    private const int OperationsPerInvoke = 4096;
    private const int OrderLength = 1 << 16;
    private ConcurrentDictionary<string, byte[]> _dictionary = null!;
    private BlobMap _map = null!;
    private BlobMap _logged = null!;
    private string[] _order = null!;
    private byte[][] _orderUtf8 = null!;
    private byte[] _value = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private int _next;
    private ShmOptions _options = null!;

    [Params(1_000_000)]
    public int Keys { get; set; }

    [Params(100)]
    public int ValueBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _value = new byte[ValueBytes];
        random.NextBytes(_value);
        _options = BenchData.PrivateDirectory();
        _map = BlobMap.Create("bench-blob", Keys, _options);
        _dictionary = new ConcurrentDictionary<string, byte[]>();
        for (int i = 0; i < Keys; i++)
        {
            string key = $"key-{i:D12}";
            _map.Set(Encoding.UTF8.GetBytes(key), _value);
            _dictionary[key] = _value.ToArray();
        }
        _logged = BlobMap.Create("bench-blob-logged", Keys, _options);
        for (int i = 0; i < Keys; i++)
        {
            _logged.Set(Encoding.UTF8.GetBytes($"key-{i:D12}"), _value);
        }
        StartChangeLog(_logged);
        _order = new string[OrderLength];
        _orderUtf8 = new byte[OrderLength][];
        for (int i = 0; i < OrderLength; i++)
        {
            _order[i] = $"key-{random.Next(Keys):D12}";
            _orderUtf8[i] = Encoding.UTF8.GetBytes(_order[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        _logged.Dispose();
        BlobMap.Delete("bench-blob", _options);
        BlobMap.Delete("bench-blob-logged", _options);
        BenchData.Remove(_options);
    }

    /// <summary>Makes the map's change log: a watch started and stopped (no watcher runs during the benchmark).</summary>
    private static void StartChangeLog(BlobMap map)
    {
        using var stop = new CancellationTokenSource();
        IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool> first = changes.MoveNextAsync().AsTask();
        map.Set("made", [1]);
        first.GetAwaiter().GetResult();
        changes.DisposeAsync().AsTask().GetAwaiter().GetResult();
        map.TryRemove("made");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long ConcurrentDictionaryGet()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary.TryGetValue(_order[next++ & (OrderLength - 1)], out byte[]? value);
            sum += value![0];
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long BlobGetCopy()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _buffer.ResetWrittenCount();
            _map.TryGetValue(_orderUtf8[next++ & (OrderLength - 1)], _buffer);
            sum += _buffer.WrittenSpan[0];
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long BlobGetLease()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.TryRead(_orderUtf8[next++ & (OrderLength - 1)], out BlobLease lease);
            sum += lease.Span[0];
            lease.Dispose();
        }
        _next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("set")]
    public void ConcurrentDictionarySet()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _dictionary[_order[next++ & (OrderLength - 1)]] = _value.AsSpan().ToArray();
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("set")]
    public void BlobSet()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _map.Set(_orderUtf8[next++ & (OrderLength - 1)], _value);
        }
        _next = next;
    }

    /// <summary>The same sets into a map with a change log (one that was watched): each write also logs its key.</summary>
    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("set")]
    public void BlobSetLogged()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _logged.Set(_orderUtf8[next++ & (OrderLength - 1)], _value);
        }
        _next = next;
    }
}
