using System.Runtime.InteropServices;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

public sealed class SeqMapTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InsertGetUpdateRemove()
    {
        using var map = SeqMap<long, long>.Create("basic", 100, _dir.Options);
        Assert.Equal(0, map.Count);
        Assert.Null(map.Get(1));
        map.Insert(1, 10);
        map[2] = 20;
        Assert.Equal(10, map[1]);
        Assert.Equal(20, map.Get(2));
        Assert.True(map.ContainsKey(2));
        Assert.Equal(2, map.Count);
        map.Insert(1, 11);
        Assert.Equal(11, map[1]);
        Assert.Equal(2, map.Count);
        Assert.False(map.TryAdd(1, 12));
        Assert.Equal(11, map[1]);
        Assert.True(map.TryAdd(3, 30));
        Assert.True(map.TryRemove(1, out long removed));
        Assert.Equal(11, removed);
        Assert.False(map.TryRemove(1, out _));
        Assert.False(map.ContainsKey(1));
        Assert.Throws<KeyNotFoundException>(() => map[1]);
        Assert.Equal(2, map.Count);
        Assert.Equal([(2L, 20L), (3L, 30L)], map.Select(e => (e.Key, e.Value)).Order().ToArray());
    }

    [Fact]
    public void FixedString32KeysAndValues()
    {
        using var map = SeqMap<FixedString32, FixedString32>.Create("strings", 100, _dir.Options);
        map["alpha"] = "first";
        map["βeta-ünïcode"] = "second";
        Assert.Equal("first", map["alpha"].ToString());
        Assert.Equal("second", map["βeta-ünïcode"].ToString());
        Assert.False(map.ContainsKey("gamma"));
        Assert.Throws<ArgumentException>(() => new FixedString32(new string('x', 32)));
        Assert.Equal(31, new FixedString32(new string('x', 31)).Length);
    }

    [Fact]
    public void AFullMapThrowsAndStaysUsable()
    {
        using var map = SeqMap<long, long>.Create("full", 6, new ShmOptions { Directory = _dir.Path, MaxCapacity = 6 });
        long cells = map.CellCount;
        for (long key = 0; key < cells; key++)
        {
            map.Insert(key, key);
        }
        Assert.Throws<MapFullException>(() => map.Insert(cells, 0));
        Assert.Equal(cells, map.Count);
        for (long key = 0; key < cells; key++)
        {
            Assert.Equal(key, map[key]);
        }
        map.Insert(3, 33);
        Assert.True(map.TryRemove(5, out _));
        map.Insert(cells, 99);
        Assert.Equal(99, map[cells]);
        Assert.True(ShmMaps.Inspection.MapInspector.Check("full", _dir.Options).IsSound);
    }

    [Fact]
    public void ManyInsertRemoveCyclesDoNotDegradeLookups()
    {
        const int capacity = 10_000;
        using var map = SeqMap<long, long>.Create("churn", capacity, _dir.Options);
        var random = new Random(1);
        var live = new HashSet<long>();
        int cycles = Stress.Pick(40, 1000);
        double firstMean = 0;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            while (live.Count < capacity * 3 / 4)
            {
                long key = random.NextInt64();
                map.Insert(key, key);
                live.Add(key);
            }
            foreach (long key in live.Where(_ => random.Next(2) == 0).ToList())
            {
                Assert.True(map.TryRemove(key, out _));
                live.Remove(key);
            }
            if (cycle == 0)
            {
                firstMean = map.ProbeLimits().Mean;
            }
        }
        Assert.Equal(live.Count, map.Count);
        foreach (long key in live)
        {
            Assert.Equal(key, map[key]);
        }
        (uint max, double mean) = map.ProbeLimits();
        // Probe ranges shrink when a home's farthest key leaves: after any amount of churn they are as
        // short as after the first round (they would grow with every cycle if they only ever rose).
        Assert.True(max < 64, $"longest probe range {max}");
        Assert.True(mean <= (2 * firstMean) + 0.1, $"mean probe range {mean} after churn, {firstMean} after the first round");
        Assert.True(ShmMaps.Inspection.MapInspector.Check("churn", _dir.Options).IsSound);
    }

    [Fact]
    public void KeysWithPaddingAreRejected() =>
        Assert.Throws<ArgumentException>(() => SeqMap<Padded, long>.Create("padded", 8, _dir.Options));

    [Fact]
    public void PackedStructKeysAreAccepted()
    {
        using var map = SeqMap<Packed, long>.Create("packed", 8, _dir.Options);
        map.Insert(new Packed(1, 2), 3);
        Assert.Equal(3, map[new Packed(1, 2)]);
    }

    [Fact]
    public void DisposedMapsThrowObjectDisposed()
    {
        var map = SeqMap<long, long>.Create("disposed", 8, _dir.Options);
        map.Insert(1, 10); // in its home cell: the lookup that needs no state word must still see the disposal
        Assert.True(map.TryGetValue(1, out _));
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(1, out _));
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue(2, out _));
        Assert.Throws<ObjectDisposedException>(() => map.Insert(1, 1));
        Assert.Throws<ObjectDisposedException>(() => map.Count);
        map.Dispose();
    }

    [Fact]
    public void ASecondHandleInTheSameProcessSeesTheSameEntries()
    {
        using var first = SeqMap<long, long>.Create("twice", 64, _dir.Options);
        using var second = SeqMap<long, long>.Open("twice", _dir.Options);
        first.Insert(1, 1);
        second.Insert(2, 2);
        Assert.Equal(2, first[2]);
        Assert.Equal(1, second[1]);
        Assert.Equal(2, first.Count);
    }

    [Fact]
    public void ClosingASecondHandleKeepsTheFirstHandlesLanesAlive()
    {
        using var first = SeqMap<long, long>.Create("ofd", 64, _dir.Options);
        first.Insert(1, 1);
        using (var second = SeqMap<long, long>.Open("ofd", _dir.Options))
        {
            second.Insert(2, 2);
        }
        var lanes = ShmMaps.Inspection.MapInspector.Describe("ofd", _dir.Options).Lanes;
        Assert.Equal(2, lanes.Count);
        Assert.Single(lanes, l => l.Alive);
    }

    private readonly record struct Padded(byte A, long B);

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private readonly record struct Packed(byte A, long B);
}
