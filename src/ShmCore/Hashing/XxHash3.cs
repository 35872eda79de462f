using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ShmMaps.Core.Hashing;

/// <summary>
/// XXH3-64 (xxHash 0.8, Yann Collet), a port of the reference implementation's scalar code path.
/// </summary>
/// <remarks>
/// The hash of a map's keys must be the same in every process and every run, so it is computed from
/// the key's bytes alone, with the seed stored in the map's header; <c>GetHashCode</c> is randomised
/// per process and is never used. The output matches <c>XXH3_64bits_withSeed</c> bit for bit (tests
/// check it against the reference implementation's vectors).
/// </remarks>
internal static class XxHash3
{
    /// <summary>The id a map header records for this function.</summary>
    public const uint HashId = 0x58_48_33_01; // "XH3" v1

    private const ulong Prime32_1 = 0x9E3779B1UL;
    private const ulong Prime32_2 = 0x85EBCA77UL;
    private const ulong Prime32_3 = 0xC2B2AE3DUL;
    private const ulong Prime64_1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime64_2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime64_3 = 0x165667B19E3779F9UL;
    private const ulong Prime64_4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime64_5 = 0x27D4EB2F165667C5UL;
    private const ulong PrimeMx1 = 0x165667919E3779F9UL;
    private const ulong PrimeMx2 = 0x9FB21C651E98DF25UL;

    private const int StripeLength = 64;
    private const int SecretConsumeRate = 8;
    private const int AccumulatorCount = 8;
    private const int MidSizeMax = 240;
    private const int MidSizeStartOffset = 3;
    private const int MidSizeLastOffset = 17;
    private const int SecretSizeMin = 136;
    private const int SecretLastAccStart = 7;
    private const int SecretMergeAccsStart = 11;

    /// <summary>The 64-bit XXH3 hash of <paramref name="data"/> with <paramref name="seed"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ReadOnlySpan<byte> secret = XxHash3Secret.Default;
        int length = data.Length;
        if (length <= 16)
        {
            return HashUpTo16(data, secret, seed);
        }
        if (length <= 128)
        {
            return Hash17To128(data, secret, seed);
        }
        if (length <= MidSizeMax)
        {
            return Hash129To240(data, secret, seed);
        }
        return HashLong(data, seed);
    }

    /// <summary>The hash of an 8-byte key (the bytes of <paramref name="key"/> in little-endian order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash8(ulong key, ulong seed) => Hash8Prepared(key, Prepare8(seed));

    /// <summary>The part of <see cref="Hash8"/> that depends on the seed alone; a map computes it once.</summary>
    public static ulong Prepare8(ulong seed)
    {
        seed ^= (ulong)BinaryPrimitives.ReverseEndianness((uint)seed) << 32;
        const ulong secretMix = 0x1CAD21F72C81017CUL ^ 0xDB979083E96DD4DEUL; // readLE64(secret+8) ^ readLE64(secret+16)
        return secretMix - seed;
    }

    /// <summary><see cref="Hash8"/> with the seed already <see cref="Prepare8">prepared</see>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash8Prepared(ulong key, ulong prepared)
    {
        // XXH3_len_4to8 with len = 8: input1 is the low half, input2 the high half.
        ulong input64 = (key >> 32) + (key << 32);
        return Rrmxmx(input64 ^ prepared, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashUpTo16(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        int length = data.Length;
        if (length > 8)
        {
            return Hash9To16(Read64(data, 0), Read64(data, length - 8), length, secret, seed);
        }
        if (length >= 4)
        {
            return Hash4To8(Read32(data, 0), Read32(data, length - 4), length, secret, seed);
        }
        if (length > 0)
        {
            uint c1 = data[0];
            uint c2 = data[length >> 1];
            uint c3 = data[length - 1];
            uint combined = (c1 << 16) | (c2 << 24) | c3 | ((uint)length << 8);
            ulong bitflip = (Read32(secret, 0) ^ Read32(secret, 4)) + seed;
            return Xxh64Avalanche(combined ^ bitflip);
        }
        return Xxh64Avalanche(seed ^ Read64(secret, 56) ^ Read64(secret, 64));
    }

    /// <summary>XXH3_len_9to16 from the key's first and last 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash9To16(ulong first, ulong last, int length, ReadOnlySpan<byte> secret, ulong seed)
    {
        ulong bitflip1 = (Read64(secret, 24) ^ Read64(secret, 32)) + seed;
        ulong bitflip2 = (Read64(secret, 40) ^ Read64(secret, 48)) - seed;
        ulong inputLo = first ^ bitflip1;
        ulong inputHi = last ^ bitflip2;
        ulong acc = (ulong)length + BinaryPrimitives.ReverseEndianness(inputLo) + inputHi + Mul128Fold64(inputLo, inputHi);
        return Avalanche(acc);
    }

    /// <summary>XXH3_len_4to8 from the key's first and last 4 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash4To8(ulong first, ulong last, int length, ReadOnlySpan<byte> secret, ulong seed)
    {
        seed ^= (ulong)BinaryPrimitives.ReverseEndianness((uint)seed) << 32;
        ulong bitflip = (Read64(secret, 8) ^ Read64(secret, 16)) - seed;
        ulong input64 = last + (first << 32);
        return Rrmxmx(input64 ^ bitflip, (ulong)length);
    }

    /// <summary>
    /// The hash of a key of 8 to 32 bytes given as two 16-byte blocks already in registers, as a caller that
    /// narrowed a string gets them: for 17 to 32 bytes <paramref name="head"/> is bytes [0, 16) and
    /// <paramref name="tail"/> bytes [length - 16, length); for 8 to 16 bytes the low halves hold bytes
    /// [0, 8) and [length - 8, length). Equal to <see cref="Hash"/> of the same bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashHeadTail(Vector128<byte> head, Vector128<byte> tail, int length, ulong seed)
    {
        Debug.Assert(length is >= 8 and <= 32);
        ReadOnlySpan<byte> secret = XxHash3Secret.Default;
        Vector128<ulong> h = head.AsUInt64();
        Vector128<ulong> t = tail.AsUInt64();
        if (length > 16)
        {
            ulong acc = (ulong)length * Prime64_1;
            acc += Mul128Fold64(h.GetElement(0) ^ (Read64(secret, 0) + seed), h.GetElement(1) ^ (Read64(secret, 8) - seed));
            acc += Mul128Fold64(t.GetElement(0) ^ (Read64(secret, 16) + seed), t.GetElement(1) ^ (Read64(secret, 24) - seed));
            return Avalanche(acc);
        }
        if (length > 8)
        {
            return Hash9To16(h.GetElement(0), t.GetElement(0), length, secret, seed);
        }
        ulong bytes = h.GetElement(0);
        return Hash4To8((uint)bytes, bytes >> 32, length, secret, seed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash17To128(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        int length = data.Length;
        ulong acc = (ulong)length * Prime64_1;
        if (length > 32)
        {
            if (length > 64)
            {
                if (length > 96)
                {
                    acc += Mix16(data, 48, secret, 96, seed);
                    acc += Mix16(data, length - 64, secret, 112, seed);
                }
                acc += Mix16(data, 32, secret, 64, seed);
                acc += Mix16(data, length - 48, secret, 80, seed);
            }
            acc += Mix16(data, 16, secret, 32, seed);
            acc += Mix16(data, length - 32, secret, 48, seed);
        }
        acc += Mix16(data, 0, secret, 0, seed);
        acc += Mix16(data, length - 16, secret, 16, seed);
        return Avalanche(acc);
    }

    private static ulong Hash129To240(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        int length = data.Length;
        ulong acc = (ulong)length * Prime64_1;
        int rounds = length / 16;
        for (int i = 0; i < 8; i++)
        {
            acc += Mix16(data, 16 * i, secret, 16 * i, seed);
        }
        acc = Avalanche(acc);
        for (int i = 8; i < rounds; i++)
        {
            acc += Mix16(data, 16 * i, secret, (16 * (i - 8)) + MidSizeStartOffset, seed);
        }
        acc += Mix16(data, length - 16, secret, SecretSizeMin - MidSizeLastOffset, seed);
        return Avalanche(acc);
    }

    private static ulong HashLong(ReadOnlySpan<byte> data, ulong seed)
    {
        Span<byte> custom = stackalloc byte[XxHash3Secret.Size];
        scoped ReadOnlySpan<byte> secret = XxHash3Secret.Default;
        if (seed != 0)
        {
            for (int i = 0; i < XxHash3Secret.Size / 16; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(custom[(16 * i)..], Read64(secret, 16 * i) + seed);
                BinaryPrimitives.WriteUInt64LittleEndian(custom[((16 * i) + 8)..], Read64(secret, (16 * i) + 8) - seed);
            }
            secret = custom;
        }

        Span<ulong> acc = stackalloc ulong[AccumulatorCount];
        acc[0] = Prime32_3; acc[1] = Prime64_1; acc[2] = Prime64_2; acc[3] = Prime64_3;
        acc[4] = Prime64_4; acc[5] = Prime32_2; acc[6] = Prime64_5; acc[7] = Prime32_1;

        int length = data.Length;
        int stripesPerBlock = (secret.Length - StripeLength) / SecretConsumeRate;
        int blockLength = StripeLength * stripesPerBlock;
        int blocks = (length - 1) / blockLength;
        for (int n = 0; n < blocks; n++)
        {
            Accumulate(acc, data[(n * blockLength)..], secret, stripesPerBlock);
            ScrambleAccumulators(acc, secret[(secret.Length - StripeLength)..]);
        }
        int lastStripes = ((length - 1) - (blockLength * blocks)) / StripeLength;
        Accumulate(acc, data[(blocks * blockLength)..], secret, lastStripes);
        Accumulate512(acc, data[(length - StripeLength)..], secret[(secret.Length - StripeLength - SecretLastAccStart)..]);

        ulong result = (ulong)length * Prime64_1;
        for (int i = 0; i < 4; i++)
        {
            int s = SecretMergeAccsStart + (16 * i);
            result += Mul128Fold64(acc[2 * i] ^ Read64(secret, s), acc[(2 * i) + 1] ^ Read64(secret, s + 8));
        }
        return Avalanche(result);
    }

    private static void Accumulate(Span<ulong> acc, ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, int stripes)
    {
        for (int s = 0; s < stripes; s++)
        {
            Accumulate512(acc, data[(s * StripeLength)..], secret[(s * SecretConsumeRate)..]);
        }
    }

    private static void Accumulate512(Span<ulong> acc, ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret)
    {
        for (int i = 0; i < AccumulatorCount; i++)
        {
            ulong value = Read64(data, 8 * i);
            ulong key = value ^ Read64(secret, 8 * i);
            acc[i ^ 1] += value;
            acc[i] += (key & 0xFFFFFFFFUL) * (key >> 32);
        }
    }

    private static void ScrambleAccumulators(Span<ulong> acc, ReadOnlySpan<byte> secret)
    {
        for (int i = 0; i < AccumulatorCount; i++)
        {
            ulong a = acc[i];
            a ^= a >> 47;
            a ^= Read64(secret, 8 * i);
            acc[i] = a * Prime32_1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix16(ReadOnlySpan<byte> data, int dataOffset, ReadOnlySpan<byte> secret, int secretOffset, ulong seed) =>
        Mul128Fold64(
            Read64(data, dataOffset) ^ (Read64(secret, secretOffset) + seed),
            Read64(data, dataOffset + 8) ^ (Read64(secret, secretOffset + 8) - seed));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mul128Fold64(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            // The high half from mulx and the low half from imul: both stay in registers (BigMul's out
            // parameter goes through the stack, a store-to-load on the hash's critical path).
            return (a * b) ^ Bmi2.X64.MultiplyNoFlags(a, b);
        }
        ulong high = Math.BigMul(a, b, out ulong low);
        return low ^ high;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Avalanche(ulong h)
    {
        h ^= h >> 37;
        h *= PrimeMx1;
        return h ^ (h >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Rrmxmx(ulong h, ulong length)
    {
        h ^= BitOperations.RotateLeft(h, 49) ^ BitOperations.RotateLeft(h, 24);
        h *= PrimeMx2;
        h ^= (h >> 35) + length;
        h *= PrimeMx2;
        return h ^ (h >> 28);
    }

    private static ulong Xxh64Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= Prime64_2;
        h ^= h >> 29;
        h *= Prime64_3;
        return h ^ (h >> 32);
    }

    /// <summary>
    /// Little-endian read without a bounds check: every offset the algorithm reads at is within the span by the
    /// length class it is in (the reference vectors of every class check it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read64(ReadOnlySpan<byte> span, int offset)
    {
        Debug.Assert((uint)offset + sizeof(ulong) <= (uint)span.Length);
        ulong value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(span), offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>The 32-bit form of <see cref="Read64"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read32(ReadOnlySpan<byte> span, int offset)
    {
        Debug.Assert((uint)offset + sizeof(uint) <= (uint)span.Length);
        uint value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(span), offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }
}
