namespace ShmMaps.Blob;

/// <summary>What reading one block for a key found.</summary>
internal enum BlockRead
{
    /// <summary>Not the key (or, from a probe, no block of the key).</summary>
    Missing,

    /// <summary>The key, its value handed to the sink.</summary>
    Found,

    /// <summary>The block changed while read: the lookup starts again.</summary>
    Moved,
}
