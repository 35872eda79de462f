using System.Runtime.InteropServices;

namespace ShmMaps.Keys;

/// <summary>
/// Keys as bytes: their hash (XXH3 with the map's seed) and their equality, both of the raw bytes, so that
/// every process agrees. <typeparamref name="TKey"/> must have no padding: padding bytes are not part of the
/// value, so two equal keys could differ in them.
/// </summary>
internal static class KeyBytes<TKey> where TKey : unmanaged
{
    private static readonly Lazy<int> s_payloadBytes = new(() => TypeLayout.PayloadSize(typeof(TKey)));

    /// <summary>Throws <see cref="ArgumentException"/> if <typeparamref name="TKey"/> has padding bytes.</summary>
    public static void EnsureNoPadding()
    {
        int size = Unsafe.SizeOf<TKey>();
        if (s_payloadBytes.Value != size)
        {
            throw new ArgumentException(
                $"key type {typeof(TKey)} is {size} bytes but its fields hold {s_payloadBytes.Value}: padding bytes would make equal keys differ; " +
                "use [StructLayout(LayoutKind.Sequential, Pack = 1)] or add explicit filler fields");
        }
    }

    /// <summary>XXH3 of the key's bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(in TKey key, ulong seed) => Hash(key, seed, XxHash3.Prepare8(seed));

    /// <summary>XXH3 of the key's bytes, with <paramref name="prepared8"/> = <see cref="XxHash3.Prepare8"/>(<paramref name="seed"/>) for 8-byte keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(in TKey key, ulong seed, ulong prepared8)
    {
        if (Unsafe.SizeOf<TKey>() == sizeof(ulong))
        {
            return XxHash3.Hash8Prepared(Unsafe.As<TKey, ulong>(ref Unsafe.AsRef(in key)), prepared8);
        }
        return XxHash3.Hash(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)), seed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(in TKey left, in TKey right)
    {
        if (Unsafe.SizeOf<TKey>() == sizeof(ulong))
        {
            return Unsafe.As<TKey, ulong>(ref Unsafe.AsRef(in left)) == Unsafe.As<TKey, ulong>(ref Unsafe.AsRef(in right));
        }
        if (Unsafe.SizeOf<TKey>() == sizeof(uint))
        {
            return Unsafe.As<TKey, uint>(ref Unsafe.AsRef(in left)) == Unsafe.As<TKey, uint>(ref Unsafe.AsRef(in right));
        }
        return MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in left)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in right)));
    }
}
