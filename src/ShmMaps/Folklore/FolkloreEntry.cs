using System.Numerics;

namespace ShmMaps.Folklore;

/// <summary>
/// The packing of one folklore entry: a key field and a value in one word, so that every change is one CAS.
/// </summary>
/// <remarks>
/// <code>
/// 32-bit entry  [removed 1][copied 1][tag: 14 - k][key index + 1: k][value 16]
/// 64-bit entry  [removed 1][copied 1][tag: 30 - k][key index + 1: k][value 32]
/// in a map that grows:
/// 32-bit entry  [removed 1][frozen 1][copied 1][tag: 13 - k][key index + 1: k][value 16]
/// 64-bit entry  [removed 1][frozen 1][copied 1][tag: 29 - k][key index + 1: k][value 32]
/// </code>
/// Frozen (a map that grows) says a migration has copied or is copying the entry into the next table: it never
/// changes again, and a writer whose CAS meets it writes in the next table instead. A frozen empty cell ends a
/// probe as an empty one does. Each table of a map that grows has its own key bits (more as it grows); a table
/// without cell slots has no copied bit (it is tag).
/// The key field is as wide as the value (<c>valueBits</c>) less the removed flag; its low <c>k</c> bits (the
/// map's key bits, just enough for its key slots) name the key slot, and the bits above them hold the same bits
/// of the key's hash (its top bits), so a probe passes most entries of other keys without reading their slots.
/// In a map with cell slots the key field's top bit says the key slot is also copied into the cell's own slot
/// (which a lookup can start reading before the entry arrives); in a map without, that bit is tag too.
/// 0 is an empty cell. Removed keeps the key (and the last value) in its cell, so the cell is never empty again
/// and the key comes back in the same place. Every method takes <c>valueBits</c>; callers pass a constant so
/// that the JIT folds the shifts.
/// </remarks>
internal static class FolkloreEntry
{
    /// <summary>The key slot <paramref name="entry"/> names, with <paramref name="keyIndexMask"/> the map's <see cref="KeyIndexMask"/>.</summary>
    public static long KeyIndex(ulong entry, int valueBits, ulong keyIndexMask) => (long)((entry >> valueBits) & keyIndexMask) - 1;

    /// <summary>The tag of a key of <paramref name="hash"/>, where an entry holds it (<paramref name="tagMask"/>: the map's <see cref="TagMask(int, int, ulong)"/>).</summary>
    public static ulong Tag(ulong hash, int valueBits, ulong tagMask) => (hash >> (64 - (2 * valueBits))) & tagMask;

    /// <summary>The mask of the key index bits of the key field, for <paramref name="keyBits"/> key bits.</summary>
    public static ulong KeyIndexMask(int keyBits) => (1UL << keyBits) - 1;

    /// <summary>The bit of an entry (in a map with cell slots) that says its key slot is copied into the cell's own slot.</summary>
    public static ulong CopiedBit(int valueBits) => 1UL << ((2 * valueBits) - 2);

    /// <summary>The bit of an entry of a map that grows that says it is frozen for a migration (where a fixed map's copied bit is).</summary>
    public static ulong FrozenBit(int valueBits) => 1UL << ((2 * valueBits) - 2);

    /// <summary>The copied bit of a table with cell slots in a map that grows: below the frozen bit.</summary>
    public static ulong GrowingCopiedBit(int valueBits) => 1UL << ((2 * valueBits) - 3);

    /// <summary>The mask of an entry's tag bits: the key field above <paramref name="keyBits"/> key index bits, less <paramref name="flags"/>.</summary>
    public static ulong TagMask(int valueBits, int keyBits, ulong flags) =>
        (KeyMask(valueBits) << valueBits) & ~((1UL << (valueBits + keyBits)) - 1) & ~flags;

    /// <summary>The key bits that name key slots 0 to <paramref name="slots"/> - 1 (stored as index + 1).</summary>
    public static int KeyBitsFor(long slots) => BitOperations.Log2((ulong)slots) + 1;

    /// <summary>The width of the key field (tag and key index) of an entry whose value has <paramref name="valueBits"/> bits.</summary>
    public static int KeyFieldBits(int valueBits) => valueBits - 1;

    public static bool IsRemoved(ulong entry, int valueBits) => ((entry >> ((2 * valueBits) - 1)) & 1) != 0;

    public static ulong Value(ulong entry, int valueBits) => entry & ((1UL << valueBits) - 1);

    /// <summary>The entry naming key slot <paramref name="keyIndex"/> with <paramref name="tag"/> (see <see cref="Tag"/>), present, holding <paramref name="value"/>.</summary>
    public static ulong Pack(long keyIndex, ulong tag, ulong value, int valueBits) => tag | ((ulong)(keyIndex + 1) << valueBits) | value;

    /// <summary>The entry with the same key, present, holding <paramref name="value"/>.</summary>
    public static ulong WithValue(ulong entry, ulong value, int valueBits) => (entry & (KeyMask(valueBits) << valueBits)) | value;

    /// <summary>The entry with the same key and value, marked removed.</summary>
    public static ulong Removed(ulong entry, int valueBits) => entry | (1UL << ((2 * valueBits) - 1));

    private static ulong KeyMask(int valueBits) => (1UL << KeyFieldBits(valueBits)) - 1;
}
