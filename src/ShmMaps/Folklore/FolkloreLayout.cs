namespace ShmMaps.Folklore;

/// <summary>
/// Where a <see cref="FolkloreMap{TValue}"/>'s bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] cell count (a power of two) [1] entry bytes (4 or 8) [2] key slot count
///          [3] key byte region length [4] longest key in bytes [5] key bits: how many bits of an entry's key
///          field name the key slot, the rest holding a tag of the key's hash (0: all, no tag)
///          [6] cell slots: 1 if region 4 holds a key slot per cell and entries have a copied bit (0: neither;
///          a map has them when its entries have a bit to spare and they fit ShmOptions.CacheSizedTableBytes)
///          counter 0: the key store's allocation word, see <see cref="KeyStore"/>
/// region 0 lanes (claimed only to name the writer of a key slot)
/// region 1 entries: cell count x entry bytes, see <see cref="FolkloreEntry"/>; 0 is an empty cell
/// region 2 key slots: key slot count x 64 bytes, see <see cref="KeySlot"/> (keys of up to 40 bytes live there)
/// region 3 key bytes: the UTF-8 bytes of longer keys, each at an 8-byte aligned offset, append only
/// region 4 cell slots: cell count x 64 bytes, a copy of the key slot of the key in each cell, written by the
///          writer whose CAS filled the cell before it sets the entry's copied bit
/// </code>
/// Open addressing with linear probing. A cell goes from empty to a key once and keeps that key for
/// good (removal sets a flag in the entry), so a lookup stops at the first empty cell and two
/// processes adding the same key meet at the same empty cell: one CAS wins, the other finds the key.
/// A probe reads the key slot only of entries whose tag is the key's, so the table can be dense. With cell
/// slots a lookup starts reading the home cell's slot while it reads the entry, so for most keys the two memory
/// reads overlap instead of following each other; a key whose copy was never finished (its writer died first)
/// is read from its key slot.
/// </remarks>
internal static class FolkloreLayout
{
    public const int EntryRegion = 1;
    public const int SlotRegion = 2;
    public const int KeyByteRegion = 3;
    public const int CellCountParameter = 0;
    public const int EntryBytesParameter = 1;
    public const int SlotCountParameter = 2;
    public const int KeyBytesParameter = 3;
    public const int MaxKeyBytesParameter = 4;
    public const int KeyBitsParameter = 5;
    public const int CellSlotsParameter = 6;
    public const int CellSlotRegion = 4;
    public const int AllocationCounter = 0;

    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 4096;

    /// <summary>The key bytes reserved per key slot when the creator does not say (the file is sparse).</summary>
    public const int DefaultKeyBytesPerSlot = 64;

    /// <summary>The key byte region is addressed in 8-byte units by a 32-bit count: at most 32 GiB.</summary>
    public const long MaxKeyByteRegion = (1L << 32) * KeyStore.Alignment;

    /// <summary>The largest number of cells.</summary>
    public const long MaxCells = 1L << 34;

    /// <summary>The fewest tag bits with which the table defaults to <see cref="DenseMaxLoad"/> and has cell slots.</summary>
    public const int DenseTagBits = 8;

    /// <summary>
    /// The load the table is sized for when the creator does not say and entries hold tags of at least
    /// <see cref="DenseTagBits"/> bits: a displaced key costs an entry read, not a key slot read, and a denser table
    /// keeps more of the entries in cache (lookups at 10 K keys about 7% faster than at 0.2 or 0.3 in three A/B runs
    /// within one process).
    /// </summary>
    public const double DenseMaxLoad = 0.5;

    /// <summary>The most keys an entry of <paramref name="entryBytes"/> can name: its key field less the removed flag, less the empty value 0.</summary>
    public static long MaxKeys(int entryBytes) => (1L << FolkloreEntry.KeyFieldBits(entryBytes * 4)) - 1;

    /// <summary>
    /// Key slots for <paramref name="capacity"/> keys: an eighth more (at least 16) for keys whose adding lost
    /// a race or whose writer died, within what the entry can name.
    /// </summary>
    public static long SlotsFor(long capacity, int entryBytes) => Math.Min(capacity + Math.Max(capacity / 8, 16), MaxKeys(entryBytes));
}
