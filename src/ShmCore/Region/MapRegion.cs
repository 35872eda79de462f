namespace ShmMaps.Core.Region;

/// <summary>
/// One open map file: its address space, its validated header, its lane table, its slot in the handle registry.
/// Every map kind holds one.
/// </summary>
/// <remarks>
/// Each instance has its own descriptor and mapping; two instances of the same file in one process are
/// independent participants (their kernel locks belong to different open file descriptions).
/// </remarks>
internal sealed unsafe partial class MapRegion : IDisposable
{
    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private readonly MapAddressSpace _space;
    private int _disposed;

    private MapRegion(string name, string path, ShmOptions options, IShmPlatform platform, MapFileHandle file, MapAddressSpace space)
    {
        Name = name;
        Path = path;
        Options = options;
        _platform = platform;
        _file = file;
        _space = space;
        Header = (MapHeader*)space.Pointer(0, MapHeader.Size, CacheLine.Size);
        Lanes = new LaneTable(space, Header->Regions[0], (int)Header->LaneCount, (int)Header->LaneSize, platform, file, name,
            options.LockTimeout, LockRecovery.FinishClaimedLane);
        Handles = new HandleRegistry(platform, file, (byte*)Header + HandleRegistry.Offset, name);
    }

    /// <summary>
    /// Builds a map kind's handle on this region; if the kind refuses the file (<paramref name="make"/> throws), the
    /// region is disposed, so that a refused file leaves no mapping, descriptor or lane behind.
    /// </summary>
    public T Adopt<T>(Func<MapRegion, T> make)
    {
        try
        {
            return make(this);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>The map's file.</summary>
    public string Path { get; }

    /// <summary>The options it was opened with.</summary>
    public ShmOptions Options { get; }

    /// <summary>The newest mapping and the file bytes known to it (pointers from earlier mappings stay valid).</summary>
    public SharedMemory Memory => _space.Current;

    /// <summary>Every mapping of the file this handle made.</summary>
    public MapAddressSpace Space => _space;

    /// <summary>The validated header.</summary>
    public MapHeader* Header { get; }

    /// <summary>The writer lanes.</summary>
    public LaneTable Lanes { get; }

    /// <summary>This handle's slot in the registry of open handles.</summary>
    public HandleRegistry Handles { get; }

    /// <summary>The kind recorded in the header.</summary>
    public MapKind Kind => (MapKind)Header->Kind;

    /// <summary>The capacity recorded in the header.</summary>
    public long Capacity => Header->Capacity;

    /// <summary>The seed of the key hash.</summary>
    public ulong HashSeed => Header->HashSeed;

    /// <summary>True after <see cref="Dispose"/>.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0; // pairs with the exchange in Dispose

    /// <summary>The platform the map was opened with (for liveness locks beyond the lanes').</summary>
    public IShmPlatform Platform => _platform;

    /// <summary>The map's descriptor: the owner of this handle's liveness locks.</summary>
    public MapFileHandle File => _file;

    /// <summary>Whether the file grows with its map (format 1.2 on): a growing region, if any, is the file's last.</summary>
    public bool FileGrows => Header->FormatMinor >= MapHeader.GrowingFileMinor;

    /// <summary>Whether the file system refused to give memory back once (the map then keeps it).</summary>
    public bool KeepsMemory => (Volatile.Read(ref Header->Flags) & MapHeader.KeepsMemoryFlag) != 0;

    /// <summary>What the kernel says about the file now.</summary>
    public FileIdentity Stat() => _platform.Stat(_file);

    /// <summary>The file offset of <paramref name="pointer"/>, a pointer into this handle's mappings (what lanes record).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long OffsetOf(void* pointer) => _space.OffsetOf(pointer);

    /// <summary>The length the header gives region <paramref name="index"/> (a growing region's is a bound, past the file).</summary>
    public long RegionLength(int index)
    {
        CheckRegionIndex(index);
        return Header->Regions[(2 * index) + 1];
    }

    /// <summary>The start of region <paramref name="index"/>, a region the file holds whole, bounds-checked, with its length.</summary>
    public byte* RegionPointer(int index, out long length)
    {
        CheckRegionIndex(index);
        if (IsGrowing(index) && FileGrows)
        {
            throw new InvalidOperationException($"region {index} grows: ask for the part of it in use");
        }
        long offset = Header->Regions[2 * index];
        length = Header->Regions[(2 * index) + 1];
        return _space.Pointer(offset, length, CacheLine.Size);
    }

    /// <summary>
    /// Bytes <c>[start, start + length)</c> of region <paramref name="index"/>, bounds-checked against the region and
    /// the file (<see cref="CorruptMapException"/> past either): the part of a growing region in use.
    /// </summary>
    public byte* RegionPointer(int index, long start, long length) => _space.Pointer(RegionOffset(index, start, length), length);

    /// <summary>The bytes of the header, the lanes and every region that does not grow: what is reserved at create.</summary>
    public long FixedBytes
    {
        get
        {
            long bytes = MapHeader.Size;
            for (int i = 0; i < Header->RegionCount; i++)
            {
                bytes += IsGrowing(i) ? 0 : Header->Regions[(2 * i) + 1];
            }
            return bytes;
        }
    }

    /// <summary>Whether region <paramref name="index"/> is reserved as it grows (else all of it was at create).</summary>
    public bool IsGrowing(int index) => (Header->GrowingRegions & (1 << index)) != 0;

    /// <summary>
    /// Allocates bytes <c>[start, start + length)</c> of region <paramref name="index"/> before anything touches
    /// them (idempotent), lengthening the file if they lie past its end, and maps them into this process's page table
    /// (the caller is about to write them: a growing map's next table); <see cref="MapFullException"/> naming
    /// <paramref name="what"/> when the file system is full. A growing region is used from its start up, so a step
    /// that would begin past the file's end comes from a damaged value: <see cref="CorruptMapException"/>.
    /// </summary>
    public void Reserve(int index, long start, long length, string what)
    {
        long offset = RegionOffset(index, start, length);
        if (length == 0)
        {
            return;
        }
        if (offset > _space.KnownLength && Stat().Length is var fileLength && offset > fileLength)
        {
            ThrowHelper.ThrowCorrupt(
                $"map '{Name}': {what} would start at offset {offset:N0}, past the file's end ({fileLength:N0} bytes): a damaged count or state names memory the map never used");
        }
        if (!_platform.TryReserve(_file, offset, length))
        {
            ThrowFull(what, length);
        }
        _platform.Populate(_space.Pointer(offset, length), length);
    }

    /// <summary>
    /// Gives the memory of the whole pages inside bytes <c>[start, start + length)</c> of region <paramref name="index"/>
    /// back (idempotent): only for bytes no live handle reads any more (see <see cref="HandleRegistry"/>), since a read
    /// there allocates anew. Where the file system refuses, the map keeps the memory, and the header says so once.
    /// </summary>
    public void Release(int index, long start, long length)
    {
        long offset = RegionOffset(index, start, length);
        long page = Environment.SystemPageSize;
        long from = (offset + page - 1) / page * page;
        long to = Math.Min(offset + length, _space.KnownLength) / page * page;
        if (to > from && !KeepsMemory && !_platform.Release(_file, from, to - from))
        {
            Interlocked.Or(ref Header->Flags, MapHeader.KeepsMemoryFlag);
        }
    }

    /// <summary>
    /// Makes bytes <c>[start, start + length)</c> of region <paramref name="index"/> (their whole pages) read as zeros in
    /// every mapping of this handle from now on: what a handle does before it says it reads them no more.
    /// </summary>
    public void Abandon(int index, long start, long length) => _space.Abandon(RegionOffset(index, start, length), length);

    /// <summary>
    /// What an opener calls for bytes a file names as in use before it reads them: they must lie in the file
    /// (<see cref="CorruptMapException"/> if not: an opener never lengthens a file), and any hole in them is allocated,
    /// since a file shared by others may have one (a copy made without holes' care, reading one allocates it or
    /// faults on a full file system).
    /// </summary>
    public void EnsureReserved(int index, long start, long length, string what)
    {
        long offset = RegionOffset(index, start, length);
        if (length == 0)
        {
            return;
        }
        _space.Pointer(offset, length); // past the file's end: corrupt
        if (!_platform.IsAllocated(_file, offset, length) && !_platform.TryReserve(_file, offset, length))
        {
            ThrowFull(what, length);
        }
    }

    /// <summary>The kind's parameters (immutable) as its block <typeparamref name="T"/> (see <see cref="KindParameterBlock"/>).</summary>
    public T KindParameters<T>()
        where T : unmanaged => KindParameterBlock.Read<T>(Header);

    /// <summary>Mutable counter <paramref name="index"/>, alone on its cache line.</summary>
    public long* Counter(int index) =>
        (long*)_space.Pointer(MapHeader.CountersOffset + ((long)index * CacheLine.Size), sizeof(long), sizeof(long));

    /// <summary>The header and every region reserved whole at create: allocated before the map is used.</summary>
    private void EnsureFixedRegionsReserved()
    {
        EnsureReserved(0, 0, Header->Regions[1], "the lanes");
        if (Header->FormatMinor == 0)
        {
            return; // made before regions were reserved: a growing region is not flagged, so only the lanes are known fixed
        }
        for (int i = 1; i < Header->RegionCount; i++)
        {
            if (!IsGrowing(i))
            {
                EnsureReserved(i, 0, Header->Regions[(2 * i) + 1], $"region {i}");
            }
        }
    }

    private void CheckRegionIndex(int index)
    {
        if ((uint)index >= Header->RegionCount)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}' has {Header->RegionCount} regions, region {index} was asked for");
        }
    }

    /// <summary>The file offset of bytes <c>[start, start + length)</c> of region <paramref name="index"/>, bounds-checked.</summary>
    private long RegionOffset(int index, long start, long length)
    {
        long regionLength = RegionLength(index);
        if (start < 0 || length < 0 || start > regionLength || length > regionLength - start)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, +{length}) is outside region {index} of {regionLength} bytes");
        }
        return Header->Regions[2 * index] + start;
    }

    private void ThrowFull(string what, long length)
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        throw new MapFullException(
            $"map '{Name}': {what} needs {length:N0} more bytes of memory in '{directory}', which has {_platform.AvailableBytes(directory):N0} bytes free; " +
            "free some (shm list, shm delete) or use a larger file system");
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    public void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>Releases the lanes, the handle's slot, the mappings and the descriptor. No operation may be running on the map.</summary>
    public void Dispose()
    {
        // Exactly one caller unmaps; later operations see the flag and throw ObjectDisposedException.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Lanes.Dispose();
        Handles.Dispose();
        _space.Dispose();
        _file.Dispose();
    }
}
