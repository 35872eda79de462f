using System.Runtime.InteropServices;

namespace ShmMaps.Core.Region;

/// <summary>
/// A kind's parameters as its own struct of 8-byte fields laid over the header's kind parameters (<see
/// cref="MapHeader.KindParameters"/>): each kind's layout names its parameters once, in that struct, and both writes
/// them at create and reads them at open through it.
/// </summary>
internal static unsafe class KindParameterBlock
{
    /// <summary><paramref name="block"/> as the header's words, for a <see cref="RegionSpec"/>.</summary>
    public static long[] Words<T>(in T block)
        where T : unmanaged
    {
        Check<T>();
        return MemoryMarshal.Cast<T, long>(new ReadOnlySpan<T>(in block)).ToArray();
    }

    /// <summary>The block the header's kind parameters hold.</summary>
    public static T Read<T>(MapHeader* header)
        where T : unmanaged
    {
        Check<T>();
        return Unsafe.ReadUnaligned<T>(header->KindParameters);
    }

    private static void Check<T>()
        where T : unmanaged
    {
        if (sizeof(T) % sizeof(long) != 0 || sizeof(T) > MapHeader.SlotCount * sizeof(long))
        {
            throw new InvalidOperationException($"{typeof(T).Name} is {sizeof(T)} bytes: kind parameters are at most {MapHeader.SlotCount} 8-byte words");
        }
    }
}
