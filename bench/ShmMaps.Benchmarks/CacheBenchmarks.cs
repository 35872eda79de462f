using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ShmMaps.Caching;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>ShmDistributedCache</c> beside <c>MemoryDistributedCache</c> (the in-process bound), both through
/// <see cref="IDistributedCache"/>: 10,000 keys with values of 1 KiB and an absolute expiration, one thread, random order.
/// A get copies the value into a new array (as the interface asks); a buffer get writes it into a reused
/// <see cref="IBufferWriter{T}"/>; a set replaces an existing key's value.
/// </summary>
[BenchmarkCategory("Cache")]
public class CacheBenchmarks
{
    private const int OperationsPerInvoke = 4096;
    private const int OrderLength = 1 << 14;
    private readonly DistributedCacheEntryOptions _entry = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private MemoryDistributedCache _memory = null!;
    private ShmDistributedCache _shared = null!;
    private ShmOptions _options = null!;
    private string[] _order = null!;
    private byte[] _value = null!;
    private int _next;

    [Params(10_000)]
    public int Keys { get; set; }

    [Params(1024)]
    public int ValueBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _value = new byte[ValueBytes];
        random.NextBytes(_value);
        _options = BenchData.PrivateDirectory();
        _memory = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        _shared = new ShmDistributedCache(new ShmDistributedCacheOptions { MapName = "bench-cache", Directory = _options.Directory, Capacity = Keys });
        for (int i = 0; i < Keys; i++)
        {
            _memory.Set($"key-{i:D8}", _value, _entry);
            _shared.Set($"key-{i:D8}", _value, _entry);
        }
        _order = [.. Enumerable.Range(0, OrderLength).Select(_ => $"key-{random.Next(Keys):D8}")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _shared.Dispose();
        BenchData.Remove(_options);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long MemoryDistributedCacheGet() => Get(_memory);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long ShmDistributedCacheGet() => Get(_shared);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long ShmDistributedCacheBufferGet()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _buffer.ResetWrittenCount();
            _shared.TryGet(_order[next++ & (OrderLength - 1)], _buffer);
            sum += _buffer.WrittenSpan[0];
        }
        _next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("set")]
    public int MemoryDistributedCacheSet() => Set(_memory);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("set")]
    public int ShmDistributedCacheSet() => Set(_shared);

    private long Get(IDistributedCache cache)
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            sum += cache.Get(_order[next++ & (OrderLength - 1)])![0];
        }
        _next = next;
        return sum;
    }

    private int Set(IDistributedCache cache)
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            cache.Set(_order[next++ & (OrderLength - 1)], _value, _entry);
        }
        _next = next;
        return next;
    }
}
