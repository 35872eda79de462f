using ShmMaps.Blob;

namespace ShmMaps.Tests.Blob;

/// <summary>The block sizes: bounded waste, 16-byte multiples, and a class for every length up to the largest.</summary>
public sealed class SizeClassTests
{
    [Fact]
    public void ClassesRunFromOneCacheLineTo32MebibytesInSixteenthsOfADoubling()
    {
        Assert.Equal(SizeClasses.Smallest, SizeClasses.Size(0));
        Assert.Equal(SizeClasses.Largest, SizeClasses.Size(SizeClasses.Count - 1));
        Assert.Equal([64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 272, 288], Enumerable.Range(0, 15).Select(SizeClasses.Size));
        Assert.Equal([496, 512, 544, 576], Enumerable.Range(27, 4).Select(SizeClasses.Size));
        Assert.Equal(1 << 20, SizeClasses.Size(204));
        Assert.Equal(32 << 20, SizeClasses.Size(SizeClasses.Count - 1));
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            int size = SizeClasses.Size(c);
            Assert.Equal(0, size % 16);
            Assert.Equal(c, SizeClasses.Of(size));
            if (c > 0)
            {
                int smaller = SizeClasses.Size(c - 1);
                Assert.True(size > smaller && size <= smaller * 1.25 && (size <= 256 ? size - smaller == 16 : size - smaller <= smaller / 16),
                    $"class {c}: {smaller} -> {size}");
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
            Assert.True(SizeClasses.Size(c) <= Math.Max(SizeClasses.Smallest, bytes <= 256 ? bytes + 15 : bytes + (bytes / 16)), $"{bytes} bytes got {SizeClasses.Size(c)}");
        }
        Assert.Equal(-1, SizeClasses.Of(SizeClasses.Largest + 1L));
        Assert.Equal(-1, SizeClasses.Of(long.MaxValue));
        Assert.Equal(144, SizeClasses.Size(SizeClasses.Of(16 + 16 + 100)));    // header, a 16-byte key, a 100-byte value
        Assert.Equal(4352, SizeClasses.Size(SizeClasses.Of(16 + 16 + 4096)));  // and a 4 KiB value: 1.05x
    }
}
