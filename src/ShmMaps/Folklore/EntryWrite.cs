namespace ShmMaps.Folklore;

/// <summary>What a CAS loop on a folklore entry did.</summary>
internal enum EntryWrite
{
    /// <summary>The entry changed as asked.</summary>
    Written,

    /// <summary>Nothing to change (an add of a present key, a removal of a removed one).</summary>
    Unchanged,

    /// <summary>A migration froze the entry: nothing changed, the operation goes again in the newest table.</summary>
    Frozen,
}
