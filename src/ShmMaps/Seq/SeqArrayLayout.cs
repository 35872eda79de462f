namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqArray{T}"/>'s bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] length [1] cell stride
/// region 0 lanes
/// region 1 cells: length x stride, see <see cref="SeqCellLayout"/>
/// </code>
/// </remarks>
internal static class SeqArrayLayout
{
    public const int CellRegion = 1;
    public const int LengthParameter = 0;
    public const int StrideParameter = 1;
}
