namespace ShmMaps.Folklore;

/// <summary>The kind parameters of a FolkloreMap that grows (<see cref="Tables"/> not 0; see <see cref="FolkloreLayout"/>).</summary>
internal struct FolkloreParameters
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

    /// <summary>[5] The key slots of table 0 (each next table's limit twice its predecessor's).</summary>
    public long FirstSlots;

    /// <summary>[6] How many tables, from table 0, have cell slots.</summary>
    public long CellSlotTables;

    /// <summary>[7] How many tables the file can grow to.</summary>
    public long Tables;
}
