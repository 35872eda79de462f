using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

public sealed class SeqArrayVecTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ArrayIndexesOutsideTheLengthAreRejected()
    {
        using var arr = SeqArray<long>.Create("bounds", 3, _dir.Options);
        Assert.Equal(3, arr.Length);
        Assert.Equal(0, arr[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => arr.Get(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => arr.Get(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => arr.Set(3, 1));
        Assert.False(arr.TryGet(3, out _));
    }

    [Fact]
    public void ArrayIsSharedBetweenHandles()
    {
        using var first = SeqArray<Whole4>.Create("shared", 10, _dir.Options);
        using var second = SeqArray<Whole4>.Open("shared", _dir.Options);
        first[7] = Whole4.Of(7);
        Assert.Equal(Whole4.Of(7), second[7]);
    }

    [Fact]
    public void VecGrowsPastItsInitialCapacityWhileOthersReadAndPush()
    {
        using var vec = SeqVec<long>.Create("grow", 4, _dir.Options);
        int pushers = 2;
        int perPusher = Stress.Pick(20_000, 500_000);
        long torn = 0;
        using var reader = BackgroundLoop.Start(() =>
        {
            long count = vec.Count;
            for (long i = Math.Max(0, count - 64); i < count; i++)
            {
                if (vec.TryGet(i, out long value) && value % 1_000_000 >= perPusher)
                {
                    Interlocked.Increment(ref torn);
                }
            }
        });
        Parallel.For(0, pushers, p =>
        {
            for (int i = 0; i < perPusher; i++)
            {
                vec.Push((p * 1_000_000L) + i);
            }
        });
        reader.Dispose();
        Assert.Equal(0, Interlocked.Read(ref torn));
        Assert.Equal(pushers * perPusher, vec.Count);
        Assert.True(vec.Capacity >= vec.Count && vec.Capacity > vec.InitialCapacity);
        var seen = new HashSet<long>();
        for (long i = 0; i < vec.Count; i++)
        {
            Assert.True(seen.Add(vec[i]));
        }
    }

    [Fact]
    public void VecPushesFromAnotherProcessAreVisible()
    {
        using var vec = SeqVec<long>.Create("xproc", 8, _dir.Options);
        using (var child = ChildProcess.Start("vec-push", _dir.Path, "xproc", 1000))
        {
            child.WaitFor("done");
        }
        Assert.Equal(1000, vec.Count);
        Assert.Equal(999, vec[999]);
        Assert.Null(vec.Get(1000));
    }

    [Fact]
    public void VecPastItsReservationIsFullAndStaysUsable()
    {
        using var vec = SeqVec<int>.Create("small", 2, _dir.Options, maxCapacity: 3);
        vec.Push(1);
        vec.Push(2);
        vec.Push(3);
        Assert.Throws<MapFullException>(() => vec.Push(4));
        Assert.Equal(3, vec.Count);
        vec[2] = 30;
        Assert.Equal(30, vec[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => vec[3] = 1);
    }
}
