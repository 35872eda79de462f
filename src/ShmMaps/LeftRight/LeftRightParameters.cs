namespace ShmMaps.LeftRight;

/// <summary>A LeftRightMap's kind parameters (see <see cref="LeftRightLayout"/>).</summary>
internal struct LeftRightParameters
{
    /// <summary>[0] The cells of each copy's first table (a power of two).</summary>
    public long Cells;

    /// <summary>[1] The bytes of a cell.</summary>
    public long CellStride;

    /// <summary>[2] The reader slots.</summary>
    public long ReaderSlots;

    /// <summary>[3] How many table sizes the file has room for.</summary>
    public long Tables;

    /// <summary>[4] The load past which a copy grows, in millionths.</summary>
    public long GrowLoadMillionths;
}
