namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqVec{T}"/>'s bytes are: sizing at create, and the file's layout checked at open.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] initial capacity [1] maximum capacity [2] cell stride
///          counter 0: indexes reserved by pushes (a CAS that never passes the maximum)
/// region 0 lanes
/// region 1 cells: maximum capacity x stride, growing (<see cref="RegionGrowth"/>: the initial capacity's cells
///          at create, then a chunk at a time, the file growing with them); see <see cref="SeqCellLayout"/>
/// </code>
/// </remarks>
internal sealed unsafe class SeqVecLayout
{
    public const int CellRegion = 1;
    public const int ReservedCounter = 0;

    private readonly long* _reserved;
    private readonly MapRegion _region;

    private SeqVecLayout(MapRegion region, SeqCellLayout cell, long initialCapacity, long maxCapacity)
    {
        _region = region;
        Cell = cell;
        InitialCapacity = initialCapacity;
        MaxCapacity = maxCapacity;
        _reserved = region.Counter(ReservedCounter);
        Growth = new RegionGrowth(region, CellRegion, initialCapacity * cell.Stride, "growing the vector");
    }

    /// <summary>An element's cell.</summary>
    public SeqCellLayout Cell { get; }

    /// <summary>The capacity the vector was created with.</summary>
    public long InitialCapacity { get; }

    /// <summary>The most elements the file can grow to.</summary>
    public long MaxCapacity { get; }

    /// <summary>How the cell region is reserved: the initial capacity's cells at create, then a chunk at a time.</summary>
    public RegionGrowth Growth { get; }

    /// <summary>The shared count of indexes reserved by pushes.</summary>
    public long* Reserved => _reserved;

    /// <summary>The element count: indexes reserved so far, never below 0 nor past the maximum capacity (whatever the file says).</summary>
    public long Count => Math.Clamp(SharedMemory.ReadAcquire(_reserved), 0, MaxCapacity);

    /// <summary>The file a vector of <paramref name="capacity"/> elements, with room for <paramref name="maxCapacity"/>, needs.</summary>
    public static RegionSpec Spec(long capacity, long maxCapacity, SeqCellLayout layout, string valueTypeName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCapacity, capacity);
        return new RegionSpec
        {
            Kind = MapKind.SeqVec,
            KeySize = 0,
            ValueSize = layout.ValueSize,
            KeyTypeName = "",
            ValueTypeName = valueTypeName,
            Capacity = capacity,
            KindParameters = KindParameterBlock.Words(new SeqVecParameters { InitialCapacity = capacity, MaxCapacity = maxCapacity, Stride = layout.Stride }),
            RegionLengths = [checked(maxCapacity * layout.Stride)],
            ReservedAtCreate = [RegionGrowth.InitialFor(capacity * layout.Stride, maxCapacity * layout.Stride)],
            UndoCapacity = layout.ProtectedLength,
        };
    }

    /// <summary>
    /// The layout of <paramref name="region"/> (a SeqVec file), checked against its regions, with the cells of the
    /// elements pushed so far reserved (the file may come from a process that did not).
    /// </summary>
    public static SeqVecLayout Open(MapRegion region)
    {
        var layout = new SeqCellLayout(0, (int)region.Header->ValueSize);
        SeqVecParameters parameters = region.KindParameters<SeqVecParameters>();
        (long initial, long max) = (parameters.InitialCapacity, parameters.MaxCapacity);
        if (initial < 0 || max < initial || parameters.Stride != layout.Stride)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': capacities {initial}/{max} or stride {parameters.Stride} are invalid");
        }
        if (region.RegionLength(CellRegion) / layout.Stride < max)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the cell region is {region.RegionLength(CellRegion)} bytes, {max} cells of {layout.Stride} need more");
        }
        var vector = new SeqVecLayout(region, layout, initial, max);
        vector.Growth.EnsureReserved(vector.Count * layout.Stride);
        return vector;
    }

    /// <summary>
    /// The cells of the reserved chunks that hold the first <paramref name="elements"/> elements, as this process maps
    /// them now (<see cref="CorruptMapException"/> if the file does not hold them).
    /// </summary>
    public SeqCells CellsThrough(long elements)
    {
        long bytes = Growth.ExtentFor(Math.Clamp(elements, 0, MaxCapacity) * Cell.Stride);
        long cells = bytes / Cell.Stride;
        return new SeqCells(_region, _region.RegionPointer(CellRegion, 0, cells * Cell.Stride), cells, Cell);
    }
}
