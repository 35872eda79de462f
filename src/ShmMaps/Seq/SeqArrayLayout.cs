namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqArray{T}"/>'s bytes are: sizing at create, and the file's layout checked at open.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] length [1] cell stride
/// region 0 lanes
/// region 1 cells: length x stride, see <see cref="SeqCellLayout"/>
/// </code>
/// </remarks>
internal sealed unsafe class SeqArrayLayout
{
    public const int CellRegion = 1;

    private SeqArrayLayout(SeqCells cells) => Cells = cells;

    /// <summary>The cells, one per element.</summary>
    public SeqCells Cells { get; }

    /// <summary>The number of elements.</summary>
    public long Length => Cells.Count;

    /// <summary>The file an array of <paramref name="length"/> elements needs.</summary>
    public static RegionSpec Spec(long length, SeqCellLayout layout, string valueTypeName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new RegionSpec
        {
            Kind = MapKind.SeqArray,
            KeySize = 0,
            ValueSize = layout.ValueSize,
            KeyTypeName = "",
            ValueTypeName = valueTypeName,
            Capacity = length,
            KindParameters = KindParameterBlock.Words(new SeqArrayParameters { Length = length, Stride = layout.Stride }),
            RegionLengths = [checked(length * layout.Stride)],
            UndoCapacity = layout.ProtectedLength,
        };
    }

    /// <summary>The layout of <paramref name="region"/> (a SeqArray file), checked against its regions.</summary>
    public static SeqArrayLayout Open(MapRegion region)
    {
        var layout = new SeqCellLayout(0, (int)region.Header->ValueSize);
        SeqArrayParameters parameters = region.KindParameters<SeqArrayParameters>();
        long length = parameters.Length;
        if (length < 0 || parameters.Stride != layout.Stride)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': length {length} or cell stride {parameters.Stride} is invalid");
        }
        return new SeqArrayLayout(new SeqCells(region, CellRegion, length, layout));
    }
}
