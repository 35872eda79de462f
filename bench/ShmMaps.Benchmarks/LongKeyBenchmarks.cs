using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// What the <c>long→long</c> map benchmarks share: random keys, a random visiting order, a private map
/// directory, and the <c>ConcurrentDictionary&lt;long,long&gt;</c> get they are measured against.
/// </summary>
public abstract class LongKeyBenchmarks
{
    protected const int OperationsPerInvoke = 4096;

    protected ConcurrentDictionary<long, long> Dictionary { get; private set; } = null!;

    protected long[] Order { get; private set; } = null!;

    protected ShmOptions Options { get; private set; } = null!;

    /// <summary>Where the next operation starts in <see cref="Order"/>: each call goes on from the last.</summary>
    protected int Next { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("get")]
    public long ConcurrentDictionaryGet()
    {
        long sum = 0;
        int next = Next;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            Dictionary.TryGetValue(Order[next++ & (Order.Length - 1)], out long value);
            sum += value;
        }
        Next = next;
        return sum;
    }

    /// <summary><paramref name="count"/> random keys, each in the dictionary with itself as value; the order and directory set.</summary>
    protected long[] Prepare(int count)
    {
        var random = new Random(42);
        long[] keys = BenchData.RandomKeys(count, random);
        Order = BenchData.RandomOrder(keys, 1 << 20, random);
        Options = BenchData.PrivateDirectory();
        Dictionary = new ConcurrentDictionary<long, long>();
        foreach (long key in keys)
        {
            Dictionary[key] = key;
        }
        return keys;
    }
}
