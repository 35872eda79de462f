namespace ShmMaps.Blob;

/// <summary>
/// One 8-byte cell of a blob map's index: empty, a tombstone, or a block's place with a few bits of its key's hash.
/// </summary>
/// <remarks>
/// <code>
/// bits 63..49  tag    the key hash's top 15 bits: most cells of other keys are passed without reading their block
///      48..40  class  the block's size class (<see cref="SizeClasses"/>)
///      39..0   unit   the block's offset in the heap, in 16-byte units
/// </code>
/// 0 is an empty cell (a probe ends there); <see cref="Tombstone"/> a removed one (a probe passes it). Every block lies
/// past table 0 at the start of the heap, so no entry of a block has unit 0 or 1.
/// </remarks>
internal static class BlobEntry
{
    public const ulong Empty = 0;

    public const ulong Tombstone = 1;

    public const int UnitBytes = 16;

    private const int ClassShift = 40;
    private const int TagShift = 49;
    private const ulong UnitMask = (1UL << ClassShift) - 1;

    /// <summary>The largest heap a unit can name.</summary>
    public const long MaxHeapBytes = (long)(UnitMask + 1) * UnitBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong hash, int sizeClass, long offset) =>
        (hash >> TagShift << TagShift) | ((ulong)sizeClass << ClassShift) | ((ulong)offset / UnitBytes);

    /// <summary>Whether <paramref name="entry"/> names a block (neither empty nor a tombstone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBlock(ulong entry) => entry > Tombstone;

    /// <summary>Whether <paramref name="entry"/> may belong to a key of <paramref name="hash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TagMatches(ulong entry, ulong hash) => ((entry ^ hash) >> TagShift) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Class(ulong entry) => (int)((entry >> ClassShift) & 0x1FF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Offset(ulong entry) => (long)(entry & UnitMask) * UnitBytes;
}
