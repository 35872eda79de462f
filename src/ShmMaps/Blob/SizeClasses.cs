using System.Numerics;

namespace ShmMaps.Blob;

/// <summary>
/// The sizes a blob map's blocks come in, from <see cref="Smallest"/> to <see cref="Largest"/> bytes: every 16 bytes
/// up to 256, then sixteen to a doubling (a sixteenth of the power of two apart), so that a block of more than 256
/// bytes wastes at most a sixteenth of its size and a small one at most 15 bytes. A freed block is reused only as a
/// block of its own size (type-stable memory: a reader that copies a block out sees a block, never the middle of
/// another).
/// </summary>
/// <remarks>
/// <code>
/// class  0   1   2  ..  12  13  14  ..  28  29  ..  204  ..  284
/// bytes 64  80  96  .. 256 272 288  .. 512 544  ..  1 MiB ..  32 MiB
/// </code>
/// Every size is a multiple of 16, so block offsets keep 16-byte alignment. Why this fine: a 16-byte key and a
/// 100-byte value with a 16-byte header take 132 bytes, a 144-byte block (160 with steps of a quarter); a 4 KiB value
/// takes a 4,352-byte block (5,120 with steps of a quarter, a quarter more than it holds).
/// </remarks>
internal static class SizeClasses
{
    /// <summary>The smallest block: one cache line.</summary>
    public const int Smallest = 64;

    /// <summary>The largest block: a 16 MiB value with the longest key fits, and more.</summary>
    public const int Largest = 1 << 25;

    /// <summary>How many classes there are (a class number fits 9 bits).</summary>
    public const int Count = 285;

    /// <summary>The last class of the 16-byte steps (256 bytes).</summary>
    private const int LastLinear = 12;

    private const int LinearEnd = 256;
    private const int LinearEndShift = 8;
    private const int StepsPerDoubling = 16;
    private const int StepShift = 4;

    /// <summary>The smallest class whose blocks hold <paramref name="bytes"/>; -1 past <see cref="Largest"/>.</summary>
    public static int Of(long bytes)
    {
        if (bytes <= Smallest)
        {
            return 0;
        }
        if (bytes <= LinearEnd)
        {
            return (int)((bytes - Smallest + 15) / 16);
        }
        if (bytes > Largest)
        {
            return -1;
        }
        // bytes lies in (2^k, 2^(k+1)]: the step of that doubling (2^(k-4)) it needs rounds it up.
        int k = 63 - BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        int step = k - StepShift;
        long j = ((bytes - (1L << k)) + (1L << step) - 1) >> step;
        return LastLinear + ((k - LinearEndShift) * StepsPerDoubling) + (int)j;
    }

    /// <summary>The bytes of a block of <paramref name="sizeClass"/>.</summary>
    public static int Size(int sizeClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sizeClass, Count);
        if (sizeClass <= LastLinear)
        {
            return Smallest + (16 * sizeClass);
        }
        int past = sizeClass - LastLinear - 1;
        int k = LinearEndShift + (past / StepsPerDoubling);
        int j = (past % StepsPerDoubling) + 1;
        return (1 << k) + (j << (k - StepShift));
    }
}
