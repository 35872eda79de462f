namespace ShmMaps.Blob;

/// <summary>A BlobMap's kind parameters (see <see cref="BlobLayout"/>).</summary>
internal struct BlobParameters
{
    /// <summary>[0] The stripes of table 0 (a power of two).</summary>
    public long Stripes;

    /// <summary>[1] The cells of a stripe.</summary>
    public long CellsPerStripe;

    /// <summary>[2] How many tables the control region has room for.</summary>
    public long Tables;

    /// <summary>[3] The bytes of table 0, at the heap's start (page aligned).</summary>
    public long FirstTableBytes;

    /// <summary>[4] 1: the map keeps its live bytes in the control region (a file made before it did reads 0, and takes no budget).</summary>
    public long KeepsLiveBytes;
}
