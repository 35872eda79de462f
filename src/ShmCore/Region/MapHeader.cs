using System.Runtime.InteropServices;
using System.Text;

namespace ShmMaps.Core.Region;

/// <summary>
/// The first 4 KiB of every map file.
/// </summary>
/// <remarks>
/// <code>
///    0  u64 magic "SHMMAPS\0"
///    8  u16 format major          10  u16 format minor
///   12  u16 kind                  14  u16 growing regions: bit i set = region i is reserved as it grows
///   16  u32 key size              20  u32 value size
///   24  u32 hash id               28  u32 lane count
///   32  u64 hash seed
///   40  i64 capacity
///   48  i64 file length
///   56  u32 region count          60  u32 lane size
///   64  key type name, 128 bytes of UTF-8, NUL-padded
///  192  value type name, 128 bytes
///  320  i32 creator pid           324 u32 reserved
///  328  u64 creator start ticks   336 i64 created (Unix ms)
///  344  boot id, 16 bytes
///  360  8 x i64 kind parameters (immutable, kind-specific)
///  424  reserved
///  448  8 x {i64 offset, i64 length}: regions; region 0 is the lane table
///  576  u64 checksum: XXH3-64 of bytes [0, 576)       -- end of the immutable part
///  640  u32 ready flag, written last with release     -- its own cache line
///  768  8 x i64 mutable counters, one per 128-byte line (kind-specific)
/// 1792  u32 flags: bit 0 = the file system refused to give memory back (holes), so the map keeps it
/// 1796  reserved
/// 2048  handle registry to 4096: a byte per open handle, see HandleRegistry (format 1.2 on)
/// </code>
/// Format 1.2 on, a file's length follows what its map uses: every region but one is whole at create, and that
/// one (the growing region, the last in the file) is used from its start up, each step allocated (and the file
/// lengthened) before anything is published into it. Region lengths are bounds; a growing region's runs past the file.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct MapHeader
{
    /// <summary>The header's size; regions start at or after it.</summary>
    public const int Size = 4096;

    /// <summary>"SHMMAPS\0" as a little-endian word.</summary>
    public const ulong MagicValue = 0x0053_5041_4D4D_4853UL;

    /// <summary>The format this library writes; a file of another major is refused.</summary>
    public const ushort CurrentFormatMajor = 1;

    /// <summary>
    /// The minor format this library writes; newer minors of the same major are readable. Minor 1: every region is
    /// allocated (reserved) before use, all of it at create unless its bit in <see cref="GrowingRegions"/> is set.
    /// Minor 2: the file grows with its map (<see cref="GrowingFileMinor"/>).
    /// </summary>
    public const ushort CurrentFormatMinor = 2;

    /// <summary>The first minor whose file length follows use (a growing region last, lengthened as it grows) and that has the handle registry.</summary>
    public const ushort GrowingFileMinor = 2;

    /// <summary>The value of <see cref="Ready"/> once the creator has finished.</summary>
    public const uint ReadyValue = 0x5245_4459; // "READ" "Y"

    /// <summary>Bytes covered by <see cref="Checksum"/>.</summary>
    public const int ChecksummedLength = 576;

    /// <summary>Room for a type name, with its terminating NUL.</summary>
    public const int TypeNameCapacity = 128;

    /// <summary>How many regions a file may have.</summary>
    public const int MaxRegions = 8;

    /// <summary>How many kind parameters and counters a file has.</summary>
    public const int SlotCount = 8;

    /// <summary>The offset of <see cref="Ready"/>.</summary>
    public const int ReadyOffset = 640;

    /// <summary>The offset of the first counter.</summary>
    public const int CountersOffset = 768;

    /// <summary>The offset of <see cref="Flags"/>.</summary>
    public const int FlagsOffset = 1792;

    /// <summary>Flag: the file system refused to punch holes; memory a map gives back stays the file's.</summary>
    public const uint KeepsMemoryFlag = 1;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public ushort FormatMajor;
    [FieldOffset(10)] public ushort FormatMinor;
    [FieldOffset(12)] public ushort Kind;
    [FieldOffset(14)] public ushort GrowingRegions;
    [FieldOffset(16)] public uint KeySize;
    [FieldOffset(20)] public uint ValueSize;
    [FieldOffset(24)] public uint HashId;
    [FieldOffset(28)] public uint LaneCount;
    [FieldOffset(32)] public ulong HashSeed;
    [FieldOffset(40)] public long Capacity;
    [FieldOffset(48)] public long FileLength;
    [FieldOffset(56)] public uint RegionCount;
    [FieldOffset(60)] public uint LaneSize;
    [FieldOffset(64)] public fixed byte KeyTypeName[TypeNameCapacity];
    [FieldOffset(192)] public fixed byte ValueTypeName[TypeNameCapacity];
    [FieldOffset(320)] public int CreatorPid;
    [FieldOffset(328)] public ulong CreatorStartTicks;
    [FieldOffset(336)] public long CreatedUnixMs;
    [FieldOffset(344)] public Guid BootId;
    [FieldOffset(360)] public fixed long KindParameters[SlotCount];
    [FieldOffset(448)] public fixed long Regions[MaxRegions * 2];
    [FieldOffset(576)] public ulong Checksum;
    [FieldOffset(ReadyOffset)] public uint Ready;
    [FieldOffset(CountersOffset)] public fixed byte CounterLines[SlotCount * Memory.CacheLine.Size];
    [FieldOffset(FlagsOffset)] public uint Flags;

    /// <summary>Reads a NUL-padded type name; throws <see cref="CorruptMapException"/> if it is not terminated or not UTF-8.</summary>
    public static string ReadTypeName(byte* field, string fieldName)
    {
        var bytes = new ReadOnlySpan<byte>(field, TypeNameCapacity);
        int end = bytes.IndexOf((byte)0);
        if (end < 0)
        {
            ThrowHelper.ThrowCorrupt($"header field '{fieldName}' is not NUL-terminated");
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes[..end]);
        }
        catch (DecoderFallbackException)
        {
            throw new CorruptMapException($"header field '{fieldName}' is not valid UTF-8");
        }
    }

    /// <summary>Writes a type name into a NUL-padded field.</summary>
    public static void WriteTypeName(byte* field, string name)
    {
        var target = new Span<byte>(field, TypeNameCapacity);
        target.Clear();
        int written = Encoding.UTF8.GetBytes(name.AsSpan(), target[..(TypeNameCapacity - 1)]);
        _ = written;
    }
}
