namespace ShmMaps.Seq;

/// <summary>A SeqMap's kind parameters (see <see cref="SeqMapLayout"/>).</summary>
internal struct SeqMapParameters
{
    /// <summary>[0] The cells of table 0 (a power of two).</summary>
    public long Cells;

    /// <summary>[1] The bytes of a cell.</summary>
    public long Stride;

    /// <summary>[2] How many tables the file has room for.</summary>
    public long Tables;

    /// <summary>[3] The load past which the map grows, in millionths.</summary>
    public long GrowLoadMillionths;
}
