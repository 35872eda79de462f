using System.Numerics;

namespace ShmMaps.Blob;

/// <summary>
/// The sizes a blob map's blocks come in: from <see cref="Smallest"/> to <see cref="Largest"/> bytes, four to a
/// doubling (1, 1.25, 1.5 and 1.75 times a power of two), so that a block wastes less than a fifth of itself and
/// a freed block is reused only by one of its own size (type-stable memory: a reader that copies a block out sees
/// a block, never the middle of another). Larger values take extents of their own.
/// </summary>
/// <remarks>
/// <code>
/// class  0   1   2   3   4   5   6   7   8   9  ...  56
/// bytes 64  80  96 112 128 160 192 224 256 320  ...  1 MiB
/// </code>
/// Every size is a multiple of 16, so block offsets keep 16-byte alignment.
/// </remarks>
internal static class SizeClasses
{
    /// <summary>The smallest block: one cache line.</summary>
    public const int Smallest = 64;

    /// <summary>The largest block in a class.</summary>
    public const int Largest = 1 << 20;

    /// <summary>How many classes there are.</summary>
    public const int Count = 57;

    private const int SmallestShift = 6;

    /// <summary>The smallest class whose blocks hold <paramref name="bytes"/>; -1 past <see cref="Largest"/>.</summary>
    public static int Of(long bytes)
    {
        if (bytes <= Smallest)
        {
            return 0;
        }
        if (bytes > Largest)
        {
            return -1;
        }
        // bytes - 1 lies in [2^k, 2^(k+1)): the quarter of that doubling it falls in picks the class.
        int k = 63 - BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        int quarter = (int)((bytes - 1) >> (k - 2)) & 3;
        return ((k - SmallestShift) * 4) + quarter + 1;
    }

    /// <summary>The bytes of a block of <paramref name="sizeClass"/>.</summary>
    public static int Size(int sizeClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sizeClass, Count);
        if (sizeClass == 0)
        {
            return Smallest;
        }
        int k = SmallestShift + ((sizeClass - 1) / 4);
        int quarter = (sizeClass - 1) % 4;
        return (5 + quarter) << (k - 2);
    }
}
