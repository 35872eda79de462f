using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

/// <summary>The seqmap crate's three documented examples, on shared files.</summary>
public sealed class SeedExampleTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SeqMapExample()
    {
        using var map = SeqMap<ulong, byte>.Create("seqmap", 16, _dir.Options);
        map.Insert(1, 42);
        map.Insert(2, 43);
        Parallel.Invoke(
            () =>
            {
                Assert.Equal((byte)42, map.Get(1));
                map.Insert(3, 100);
            },
            () =>
            {
                Assert.Equal((byte)43, map.Get(2));
                map.Insert(4, 101);
            });
        Assert.Equal((byte)42, map.Get(1));
        Assert.Equal((byte)43, map.Get(2));
        Assert.Equal((byte)100, map.Get(3));
        Assert.Equal((byte)101, map.Get(4));
    }

    [Fact]
    public void SeqVecExample()
    {
        using var vec = SeqVec<uint>.Create("seqvec", 2, _dir.Options);
        vec.Push(1);
        vec.Push(2);
        Parallel.Invoke(
            () =>
            {
                Assert.Equal(1u, vec.Get(0));
                Assert.InRange(vec.Count, 2, 3);
                vec.Push(3);
            },
            () =>
            {
                Assert.Equal(2u, vec.Get(1));
                Assert.InRange(vec.Count, 2, 3);
                vec.Push(4);
            });
        Assert.Equal(1u, vec.Get(0));
        Assert.Equal(2u, vec.Get(1));
        Assert.True((vec.Get(2) == 3 && vec.Get(3) == 4) || (vec.Get(2) == 4 && vec.Get(3) == 3));
    }

    [Fact]
    public void SeqArrayExample()
    {
        using var arr = SeqArray<uint>.Create("seqarray", 4, _dir.Options);
        arr.Set(0, 1);
        arr.Set(1, 2);
        Parallel.Invoke(
            () =>
            {
                Assert.Equal(1u, arr.Get(0));
                Assert.Equal(2u, arr.Get(1));
                arr.Set(2, 3);
            },
            () =>
            {
                Assert.Equal(1u, arr.Get(0));
                Assert.Equal(2u, arr.Get(1));
                arr.Set(3, 4);
            });
        Assert.Equal(1u, arr.Get(0));
        Assert.Equal(2u, arr.Get(1));
        Assert.True((arr.Get(2) == 3 && arr.Get(3) == 4) || (arr.Get(2) == 4 && arr.Get(3) == 3));
    }
}
