using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Platform;
using ShmMaps.Core.Registry;

namespace ShmMaps.Core.Region;

/// <summary>
/// One open map file: the mapping, its validated header, its lane table. Every map kind holds one.
/// </summary>
/// <remarks>
/// Each instance has its own descriptor and mapping; two instances of the same file in one process are
/// independent participants (their kernel locks belong to different open file descriptions).
/// </remarks>
internal sealed unsafe partial class MapRegion : IDisposable
{
    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private int _disposed;

    private MapRegion(string name, string path, ShmOptions options, IShmPlatform platform, MapFileHandle file, byte* address, long length)
    {
        Name = name;
        Path = path;
        Options = options;
        _platform = platform;
        _file = file;
        Memory = new SharedMemory(address, length);
        Header = (MapHeader*)address;
        Lanes = new LaneTable(Memory, Header->Regions[0], (int)Header->LaneCount, (int)Header->LaneSize, platform, file, name,
            options.LockTimeout, LockRecovery.FinishClaimedLane);
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

    /// <summary>The whole mapping.</summary>
    public SharedMemory Memory { get; }

    /// <summary>The validated header.</summary>
    public MapHeader* Header { get; }

    /// <summary>The writer lanes.</summary>
    public LaneTable Lanes { get; }

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

    /// <summary>What the kernel says about the file now.</summary>
    public FileIdentity Stat() => _platform.Stat(_file);

    /// <summary>The start of region <paramref name="index"/>, bounds-checked, with its length.</summary>
    public byte* RegionPointer(int index, out long length)
    {
        if ((uint)index >= Header->RegionCount)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}' has {Header->RegionCount} regions, region {index} was asked for");
        }
        long offset = Header->Regions[2 * index];
        length = Header->Regions[(2 * index) + 1];
        return Memory.Pointer(offset, length, CacheLine.Size);
    }

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
    /// them (idempotent), and maps them into this process's page table (the caller is about to write them: a growing
    /// map's next table); <see cref="MapFullException"/> naming <paramref name="what"/> when the file system is full.
    /// </summary>
    public void Reserve(int index, long start, long length, string what)
    {
        long offset = RegionOffset(index, start, length);
        if (length > 0 && !_platform.TryReserve(_file, offset, length))
        {
            ThrowFull(what, length);
        }
        if (length > 0)
        {
            _platform.Populate(Memory.Pointer(offset, length), length);
        }
    }

    /// <summary>
    /// Gives the memory of bytes <c>[start, start + length)</c> of region <paramref name="index"/> back (idempotent):
    /// only for bytes no process will read again, since a read there allocates anew.
    /// </summary>
    public void Release(int index, long start, long length)
    {
        long offset = RegionOffset(index, start, length);
        if (length > 0)
        {
            _platform.Release(_file, offset, length);
        }
    }

    /// <summary>
    /// <see cref="Reserve"/> unless every byte of the range is allocated already: what an opener calls for the bytes
    /// it is about to read, since a file shared by others may have holes (reading one allocates it, or faults on a
    /// full file system).
    /// </summary>
    public void EnsureReserved(int index, long start, long length, string what)
    {
        long offset = RegionOffset(index, start, length);
        if (length > 0 && !_platform.IsAllocated(_file, offset, length) && !_platform.TryReserve(_file, offset, length))
        {
            ThrowFull(what, length);
        }
    }

    /// <summary>Kind parameter <paramref name="index"/> (immutable).</summary>
    public long KindParameter(int index) => Header->KindParameters[index];

    /// <summary>Mutable counter <paramref name="index"/>, alone on its cache line.</summary>
    public long* Counter(int index) =>
        (long*)Memory.Pointer(MapHeader.CountersOffset + ((long)index * CacheLine.Size), sizeof(long), sizeof(long));

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

    /// <summary>The file offset of bytes <c>[start, start + length)</c> of region <paramref name="index"/>, bounds-checked.</summary>
    private long RegionOffset(int index, long start, long length)
    {
        RegionPointer(index, out long regionLength);
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

    /// <summary>Releases the lanes, the mapping and the descriptor. No operation may be running on the map.</summary>
    public void Dispose()
    {
        // Exactly one caller unmaps; later operations see the flag and throw ObjectDisposedException.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Lanes.Dispose();
        _platform.Unmap(Memory.Base, Memory.Length);
        _file.Dispose();
    }
}
