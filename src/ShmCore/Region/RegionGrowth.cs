namespace ShmMaps.Core.Region;

/// <summary>
/// How a growing region is reserved: its first <see cref="Initial"/> bytes at create, then in whole chunks of
/// <see cref="Chunk"/> bytes, each reserved by the allocation that first needs it, before that allocation is
/// published. Chunks of a fixed size keep what a full file system refuses small: the last allocation needs at most
/// one chunk.
/// </summary>
/// <remarks>
/// The region is used from its start up: an allocation moves the used mark from <c>before</c> to <c>after</c>, and
/// every extent below <c>before</c>'s was reserved by the allocation that crossed into it. An allocator reserves
/// before its CAS publishes the new mark, so a process killed between the two left only memory reserved early
/// (reserving is idempotent), never a used byte without memory. An opener reserves what the used mark covers again
/// (<see cref="EnsureReserved"/>): the file may come from a process that did not.
/// </remarks>
internal readonly unsafe struct RegionGrowth
{
    /// <summary>The least a growing region reserves at create.</summary>
    public const long MinimumInitial = 64 << 10;

    /// <summary>The unit a growing region is reserved in past what it reserved at create.</summary>
    public const long Chunk = 1 << 20;

    private const long Page = 4096;

    private readonly MapRegion _region;
    private readonly int _index;
    private readonly long _length;
    private readonly string _what;

    /// <summary>The growth of region <paramref name="index"/> of <paramref name="region"/>, reserved at create as <see cref="InitialFor"/> says.</summary>
    public RegionGrowth(MapRegion region, int index, long initialBytes, string what)
    {
        _region = region;
        _index = index;
        _length = region.RegionLength(index);
        Initial = InitialFor(initialBytes, _length);
        _what = what;
    }

    /// <summary>The bytes reserved at create.</summary>
    public long Initial { get; }

    /// <summary>
    /// What a region of <paramref name="regionLength"/> bytes whose first <paramref name="bytes"/> are used at once
    /// reserves at create: those bytes in whole pages, at least <see cref="MinimumInitial"/>, at most the region.
    /// </summary>
    public static long InitialFor(long bytes, long regionLength) =>
        Math.Min(Math.Max((Math.Max(bytes, 0) + Page - 1) / Page * Page, MinimumInitial), regionLength);

    /// <summary>The end of the reserved extents that cover the region's first <paramref name="used"/> bytes.</summary>
    public long ExtentFor(long used) =>
        used <= Initial ? Initial : Math.Min((used + Chunk - 1) / Chunk * Chunk, _length);

    /// <summary>Reserves the extents an allocation moving the used mark from <paramref name="before"/> to <paramref name="after"/> enters.</summary>
    public void Cover(long before, long after)
    {
        if (after <= Initial)
        {
            return;
        }
        long have = ExtentFor(before);
        if (after > have)
        {
            _region.Reserve(_index, have, ExtentFor(after) - have, _what);
        }
    }

    /// <summary>An opener's check that the extents covering the first <paramref name="used"/> bytes are allocated.</summary>
    public void EnsureReserved(long used) => _region.EnsureReserved(_index, 0, ExtentFor(Math.Min(used, _length)), _what);
}
