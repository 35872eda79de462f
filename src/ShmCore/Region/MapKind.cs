namespace ShmMaps.Core.Region;

/// <summary>The kind of map a file holds (header field <c>kind</c>).</summary>
internal enum MapKind : ushort
{
    /// <summary>Not a valid kind.</summary>
    None = 0,

    /// <summary>A fixed-length array of seqlock cells.</summary>
    SeqArray = 1,

    /// <summary>A growable vector of seqlock cells.</summary>
    SeqVec = 2,

    /// <summary>An open-addressing hash map of seqlock cells.</summary>
    SeqMap = 3,

    /// <summary>The folklore CAS-packed map.</summary>
    FolkloreMap = 4,

    /// <summary>The striped-lock map.</summary>
    StripedMap = 5,

    /// <summary>The two-copy left-right map.</summary>
    LeftRightMap = 6,

    /// <summary>The id-based reader-writer store.</summary>
    RwStore = 7,

    /// <summary>The map of byte values of any size under string keys.</summary>
    BlobMap = 8,
}
