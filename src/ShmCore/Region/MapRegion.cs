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
        Lanes = new LaneTable(Memory, Header->Regions[0], (int)Header->LaneCount, (int)Header->LaneSize, platform, file, name);
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

    /// <summary>Kind parameter <paramref name="index"/> (immutable).</summary>
    public long KindParameter(int index) => Header->KindParameters[index];

    /// <summary>Mutable counter <paramref name="index"/>, alone on its cache line.</summary>
    public long* Counter(int index) =>
        (long*)Memory.Pointer(MapHeader.CountersOffset + ((long)index * CacheLine.Size), sizeof(long), sizeof(long));

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
