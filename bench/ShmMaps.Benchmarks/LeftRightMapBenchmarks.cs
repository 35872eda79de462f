using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// <c>LeftRightMap&lt;long,long&gt;</c> at 1 M keys, one thread: a get through a fresh read guard beside
/// <c>SeqMap.TryGetValue</c>; gets in a held guard (one guard per <see cref="LongKeyBenchmarks.OperationsPerInvoke"/>
/// gets) beside <c>ConcurrentDictionary.TryGetValue</c>; and what a published batch of 1, 100 or 10 K changes
/// costs the writer (the guard, the writes, the publish, and the replay onto the other copy at the next guard).
/// </summary>
[BenchmarkCategory("LeftRightMap")]
public class LeftRightMapBenchmarks : LongKeyBenchmarks
{
    private LeftRightWriter<long, long> _writer = null!;
    private LeftRightReader<long, long> _reader = null!;
    private SeqMap<long, long> _seqMap = null!;
    private long[] _keys = null!;
    private long _batch;

    [Params(1_000_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = Prepare(Keys);
        _seqMap = SeqMap<long, long>.Create("bench-seq", Keys, Options);
        _writer = LeftRightMap.CreateWriter<long, long>("bench-leftright", Keys, Options);
        using (WriteGuard<long, long> guard = _writer.Guard())
        {
            foreach (long key in _keys)
            {
                guard.Insert(key, key);
                _seqMap.Insert(key, key);
            }
        }
        _reader = LeftRightMap.OpenReader<long, long>("bench-leftright", Options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _writer.Dispose();
        _seqMap.Dispose();
        BenchData.Remove(Options);
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long HeldGuardGet()
    {
        long sum = 0;
        int next = Next;
        using ReadGuard<long, long> guard = _reader.Guard();
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            guard.TryGetValue(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("fresh guard")]
    public long SeqMapGet()
    {
        long sum = 0;
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _seqMap.TryGetValue(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("fresh guard")]
    public long FreshGuardGet()
    {
        long sum = 0;
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            using ReadGuard<long, long> guard = _reader.Guard();
            guard.TryGetValue(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    [Benchmark, BenchmarkCategory("publish")]
    public void PublishBatchOf1() => Publish(1);

    [Benchmark, BenchmarkCategory("publish")]
    public void PublishBatchOf100() => Publish(100);

    [Benchmark, BenchmarkCategory("publish")]
    public void PublishBatchOf10K() => Publish(10_000);

    /// <summary>One batch of <paramref name="changes"/> updates of existing keys, published.</summary>
    private void Publish(int changes)
    {
        long batch = ++_batch;
        int next = Next;
        using (WriteGuard<long, long> guard = _writer.Guard())
        {
            for (int i = 0; i < changes; i++)
            {
                guard.Insert(Order[next++ & (Order.Length - 1)], batch);
            }
        }
        Next = next;
    }
}
