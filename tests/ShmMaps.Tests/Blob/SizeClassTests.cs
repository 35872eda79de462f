using ShmMaps.Blob;

namespace ShmMaps.Tests.Blob;

/// <summary>The block sizes: bounded waste, 16-byte multiples, and a class for every length up to the largest.</summary>
public sealed class SizeClassTests
{
    [Fact]
    public void ClassesRunFromOneCacheLineToOneMebibyteAtMostAQuarterApart()
    {
        Assert.Equal(SizeClasses.Smallest, SizeClasses.Size(0));
        Assert.Equal(SizeClasses.Largest, SizeClasses.Size(SizeClasses.Count - 1));
        Assert.Equal([64, 80, 96, 112, 128, 160, 192, 224, 256, 320], Enumerable.Range(0, 10).Select(SizeClasses.Size));
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int size = SizeClasses.Size(c);
            Assert.Equal(0, size % 16);
            Assert.Equal(c, SizeClasses.Of(size));
            if (c > 0)
            {
                int smaller = SizeClasses.Size(c - 1);
                Assert.True(size > smaller && size <= smaller * 1.25, $"class {c}: {smaller} -> {size}");
                Assert.Equal(c, SizeClasses.Of(smaller + 1));
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => SizeClasses.Size(SizeClasses.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => SizeClasses.Size(-1));
    }

    [Fact]
    public void EveryLengthGetsTheSmallestClassThatHoldsIt()
    {
        var random = new Random(7);
        foreach (long bytes in new long[] { 0, 1, 63, 64, 65 }.Concat(Enumerable.Range(0, 10_000).Select(_ => (long)random.Next(1, SizeClasses.Largest + 1))))
        {
            int c = SizeClasses.Of(bytes);
            Assert.True(SizeClasses.Size(c) >= bytes);
            Assert.True(c == 0 || SizeClasses.Size(c - 1) < bytes, $"{bytes} bytes got class {c}");
        }
        Assert.Equal(-1, SizeClasses.Of(SizeClasses.Largest + 1L));
        Assert.Equal(-1, SizeClasses.Of(long.MaxValue));
    }
}
