namespace ShmMaps.Striped;

/// <summary>A StripedMap's kind parameters (see <see cref="StripedLayout"/>).</summary>
internal struct StripedParameters
{
    /// <summary>[0] The stripes of table 0 (a power of two).</summary>
    public long Stripes;

    /// <summary>[1] The cells of a stripe (a power of two).</summary>
    public long CellsPerStripe;

    /// <summary>[2] The bytes of a cell.</summary>
    public long CellStride;

    /// <summary>[3] The bytes of a stripe: its lock word, moved flag and cells.</summary>
    public long StripeStride;

    /// <summary>[4] How many tables the file has room for (0: a map that never grows).</summary>
    public long Tables;

    /// <summary>[5] The load past which the map grows, in millionths.</summary>
    public long GrowLoadMillionths;
}
