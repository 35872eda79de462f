using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ShmMaps.Folklore;

/// <summary>
/// A key of 8 to 32 bytes held in two registers: a string of ASCII chars narrowed, or UTF-8 bytes loaded. Hashed
/// and compared from there, never written to memory (a key built in a stack buffer and read back at once stalls
/// on store forwarding).
/// </summary>
/// <remarks>
/// Over 16 chars, <see cref="Head"/> is bytes [0, 16) and <see cref="Tail"/> bytes [length - 16, length);
/// 8 to 16 chars use the low halves: bytes [0, 8) and [length - 8, length). Together they cover every byte.
/// </remarks>
internal readonly unsafe struct RegisterKey : IKeyMatch
{
    public const int MinLength = 8;
    public const int MaxLength = 32;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RegisterKey(Vector128<byte> head, Vector128<byte> tail, int length)
    {
        Head = head;
        Tail = tail;
        Length = length;
    }

    public Vector128<byte> Head { get; }

    public Vector128<byte> Tail { get; }

    public int Length { get; }

    /// <summary>The key's XXH3 hash with <paramref name="seed"/>, the same as of its UTF-8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash(ulong seed) => XxHash3.HashHeadTail(Head, Tail, Length, seed);

    /// <summary>Narrows <paramref name="key"/> if it has 8 to 32 chars, all ASCII; false otherwise (the caller's slower path takes it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLoad(string? key, out RegisterKey ascii)
    {
        int length = key?.Length ?? 0;
        if (length is < MinLength or > MaxLength)
        {
            ascii = default;
            return false;
        }
        ref ushort chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(key.AsSpan()));
        Vector128<ushort> nonAscii = Vector128.Create((ushort)0xFF80);
        if (length > 16)
        {
            Vector128<ushort> a = Vector128.LoadUnsafe(ref chars);
            Vector128<ushort> b = Vector128.LoadUnsafe(ref chars, 8);
            Vector128<ushort> c = Vector128.LoadUnsafe(ref chars, (nuint)(length - 16));
            Vector128<ushort> d = Vector128.LoadUnsafe(ref chars, (nuint)(length - 8));
            ascii = new RegisterKey(NarrowAscii(a, b), NarrowAscii(c, d), length);
            return ((a | b | c | d) & nonAscii) == Vector128<ushort>.Zero;
        }
        Vector128<ushort> first = Vector128.LoadUnsafe(ref chars);
        Vector128<ushort> last = Vector128.LoadUnsafe(ref chars, (nuint)(length - 8));
        ascii = new RegisterKey(NarrowAscii(first, first), NarrowAscii(last, last), length);
        return ((first | last) & nonAscii) == Vector128<ushort>.Zero;
    }

    /// <summary>Loads UTF-8 <paramref name="utf8"/> if it has 8 to 32 bytes (any bytes: they are compared as they are); false otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLoad(ReadOnlySpan<byte> utf8, out RegisterKey key)
    {
        int length = utf8.Length;
        if (length is < MinLength or > MaxLength)
        {
            key = default;
            return false;
        }
        ref byte bytes = ref MemoryMarshal.GetReference(utf8);
        if (length > 16)
        {
            key = new RegisterKey(Vector128.LoadUnsafe(ref bytes), Vector128.LoadUnsafe(ref bytes, (nuint)(length - 16)), length);
            return true;
        }
        key = new RegisterKey(
            Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref bytes)).AsByte(),
            Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref bytes, length - 8))).AsByte(),
            length);
        return true;
    }

    /// <summary>
    /// The low bytes of <paramref name="lower"/> then <paramref name="upper"/>: the chars themselves when they are
    /// ASCII (the caller checks). On x86 one saturating pack, which equals the truncating narrow for chars below
    /// 0x80 and costs a third of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NarrowAscii(Vector128<ushort> lower, Vector128<ushort> upper) => Sse2.IsSupported
        ? Sse2.PackUnsignedSaturate(lower.AsInt16(), upper.AsInt16())
        : Vector128.Narrow(lower, upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(KeyStore keys, KeySlot* slot, ulong hash) => keys.MatchesRegisterKey(slot, hash, this);
}
