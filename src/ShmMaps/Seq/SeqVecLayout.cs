using ShmMaps.Core.Memory;
using ShmMaps.Core.Region;

namespace ShmMaps.Seq;

/// <summary>
/// Where a <see cref="SeqVec{T}"/>'s bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] initial capacity [1] maximum capacity [2] cell stride
///          counter 0: indexes reserved by pushes (a CAS that never passes the maximum)
/// region 0 lanes
/// region 1 cells: maximum capacity x stride, growing (<see cref="RegionGrowth"/>: the initial capacity's cells
///          reserved at create); see <see cref="SeqCellLayout"/>
/// </code>
/// </remarks>
internal static unsafe class SeqVecLayout
{
    public const int CellRegion = 1;
    public const int InitialCapacityParameter = 0;
    public const int MaxCapacityParameter = 1;
    public const int StrideParameter = 2;
    public const int ReservedCounter = 0;

    /// <summary>The element count: indexes reserved so far, never below 0 nor past the maximum capacity (whatever the file says).</summary>
    public static long Count(MapRegion region) =>
        Math.Clamp(SharedMemory.ReadAcquire(region.Counter(ReservedCounter)), 0, Math.Max(region.KindParameter(MaxCapacityParameter), 0));

    /// <summary>How the cell region grows: the initial capacity's cells reserved at create, then a chunk at a time.</summary>
    public static RegionGrowth Growth(MapRegion region, long initialCapacity, int stride) =>
        new(region, CellRegion, initialCapacity * stride, "growing the vector");
}
