namespace ShmMaps.Folklore;

/// <summary>The kind parameters of a FolkloreMap that never grows (one table; see <see cref="FolkloreLayout"/>).</summary>
internal struct FolkloreFixedParameters
{
    /// <summary>[0] The cells of table 0 (a power of two).</summary>
    public long Cells;

    /// <summary>[1] The bytes of an entry: 4 or 8.</summary>
    public long EntryBytes;

    /// <summary>[2] The key slots: the most the file can grow to.</summary>
    public long SlotCount;

    /// <summary>[3] Reserved (0).</summary>
    public long Reserved;

    /// <summary>[4] The longest key, in bytes.</summary>
    public long MaxKeyBytes;

    /// <summary>[5] The bits of an entry's key field that name the key slot, the rest holding a tag of the key's hash (0: all).</summary>
    public long KeyBits;

    /// <summary>[6] 1 if the table has cell slots.</summary>
    public long CellSlots;

    /// <summary>[7] 0: the map never grows.</summary>
    public long Tables;
}
