using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>RwStore&lt;long&gt;</c>, one thread, elements visited in random order: read-lock / read / unlock and
/// write-lock / write / unlock, each beside the same steps on a <c>ConcurrentDictionary&lt;long, element&gt;</c>
/// whose element holds a <see cref="ReaderWriterLockSlim"/> of its own (the id → lookup → lock of one process).
/// </summary>
[BenchmarkCategory("RwStore")]
public class RwStoreBenchmarks
{
    private const int OperationsPerInvoke = 4096;

    private RwStore<long> _store = null!;
    private ShmId[] _order = null!;
    private ConcurrentDictionary<long, LockedElement> _dictionary = null!;
    private long[] _keyOrder = null!;
    private ShmOptions _options = null!;
    private int _next;

    [Params(10_000, 1_000_000)]
    public int Elements { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _options = BenchData.PrivateDirectory();
        _store = RwStore<long>.Create("bench-rw", Elements, _options);
        _dictionary = new ConcurrentDictionary<long, LockedElement>();
        var ids = new ShmId[Elements];
        long[] keys = new long[Elements];
        for (int i = 0; i < Elements; i++)
        {
            ids[i] = _store.Insert(i);
            keys[i] = i;
            _dictionary[i] = new LockedElement { Value = i };
        }
        var random = new Random(42);
        int[] visits = BenchData.RandomOrder(Enumerable.Range(0, Elements).ToArray(), 1 << 20, random);
        _order = visits.Select(i => ids[i]).ToArray();
        _keyOrder = visits.Select(i => keys[i]).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        BenchData.Remove(_options);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("read")]
    public long DictionaryReadLock()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            LockedElement element = _dictionary[_keyOrder[next++ & (_keyOrder.Length - 1)]];
            element.Lock.EnterReadLock();
            sum += element.Value;
            element.Lock.ExitReadLock();
        }
        _next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("read")]
    public long RwStoreReadLock()
    {
        long sum = 0;
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _store.TryRead(_order[next++ & (_order.Length - 1)], out ReadLock<long> guard);
            sum += guard.Value;
            guard.Dispose();
        }
        _next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("write")]
    public void DictionaryWriteLock()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            LockedElement element = _dictionary[_keyOrder[next++ & (_keyOrder.Length - 1)]];
            element.Lock.EnterWriteLock();
            element.Value++;
            element.Lock.ExitWriteLock();
        }
        _next = next;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("write")]
    public void RwStoreWriteLock()
    {
        int next = _next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _store.TryWrite(_order[next++ & (_order.Length - 1)], out WriteLock<long> guard);
            guard.Value++;
            guard.Dispose();
        }
        _next = next;
    }
}
