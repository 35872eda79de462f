namespace ShmMaps.Core.Registry;

/// <summary>
/// How a word names the lane that holds it: the low 32 bits of every robust lock word.
/// </summary>
/// <remarks>
/// <code>
/// [31..16 lane generation (low 16 bits)][15..1 lane index][0 held]
/// </code>
/// A holder is the lane's holder of that generation. Every word a lane holds is recorded in the lane before it is
/// taken (the intent, the held lock, a scope's list), and whoever claims the lane next finishes and releases all of
/// them before using it: so no word ever names an earlier holder of a lane once the lane is claimed again, and the 16
/// bits of generation can wrap without ever naming two holders at once.
/// </remarks>
internal static class LaneOwner
{
    /// <summary>The bits of a word that name the holder (and say it is held).</summary>
    public const ulong Mask = 0xFFFF_FFFFUL;

    /// <summary>The largest number of lanes a map can have; a lane index is below it.</summary>
    public const int MaxLanes = 0x7FFF;

    /// <summary>The low half of a word held by <paramref name="lane"/> at <paramref name="generation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Tag(int lane, uint generation) => ((ulong)(ushort)generation << 16) | ((ulong)lane << 1) | 1;

    /// <summary>Whether the word says it is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHeld(ulong word) => (word & 1) != 0;

    /// <summary>The lane a held word names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Lane(ulong word) => (int)((word >> 1) & MaxLanes);

    /// <summary>The low 16 bits of the generation a held word names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Generation(ulong word) => (ushort)(word >> 16);
}
