namespace ShmMaps.Folklore;

/// <summary>
/// The packing of one folklore entry: a key field and a value in one word, so that every change is one CAS.
/// </summary>
/// <remarks>
/// <code>
/// 32-bit entry  [removed 1][key index + 1: 15][value 16]
/// 64-bit entry  [removed 1][key index + 1: 31][value 32]
/// </code>
/// The key field is as wide as the value (<c>valueBits</c>). 0 is an empty cell. Removed keeps the key (and
/// the last value) in its cell, so the cell is never empty again and the key comes back in the same place.
/// Every method takes <c>valueBits</c>; callers pass a constant so that the JIT folds the shifts.
/// </remarks>
internal static class FolkloreEntry
{
    public static long KeyIndex(ulong entry, int valueBits) => (long)((entry >> valueBits) & KeyMask(valueBits)) - 1;

    public static bool IsRemoved(ulong entry, int valueBits) => ((entry >> ((2 * valueBits) - 1)) & 1) != 0;

    public static ulong Value(ulong entry, int valueBits) => entry & ((1UL << valueBits) - 1);

    public static ulong Pack(long keyIndex, ulong value, int valueBits) => ((ulong)(keyIndex + 1) << valueBits) | value;

    /// <summary>The entry with the same key, present, holding <paramref name="value"/>.</summary>
    public static ulong WithValue(ulong entry, ulong value, int valueBits) => (entry & (KeyMask(valueBits) << valueBits)) | value;

    /// <summary>The entry with the same key and value, marked removed.</summary>
    public static ulong Removed(ulong entry, int valueBits) => entry | (1UL << ((2 * valueBits) - 1));

    private static ulong KeyMask(int valueBits) => (1UL << (valueBits - 1)) - 1;
}
