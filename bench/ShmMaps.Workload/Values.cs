using System.Runtime.CompilerServices;

namespace ShmMaps.Workload;

/// <summary>Values of the two sizes: made from a number (its first 8 bytes), and read back.</summary>
internal static class Values
{
    public static T Make<T>(long stamp) where T : unmanaged
    {
        T value = default;
        Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref value), stamp);
        return value;
    }

    public static long StampOf<T>(in T value) where T : unmanaged => Unsafe.ReadUnaligned<long>(ref Unsafe.As<T, byte>(ref Unsafe.AsRef(in value)));
}
