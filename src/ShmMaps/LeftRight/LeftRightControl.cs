using System.Runtime.InteropServices;

namespace ShmMaps.LeftRight;

/// <summary>
/// The control block of a left-right map (region 1).
/// </summary>
/// <remarks>
/// <code>
///   0  u64 published: the publish sequence; readers read copy (sequence &amp; 1)   -- its own line, with:
///   8  i32 sleepers: readers parked on the sequence's low 32 bits (a futex) until the next publish
///  64  i32 writer pid          68  u32 reserved
///  72  u64 writer start ticks  80  i64 writer since (Unix ms)
/// 128  i64 last publish (Unix ms)
/// 136  i64 entries of copy 0   144  i64 entries of copy 1
/// 152  i64 table generation of copy 0   160  i64 table generation of copy 1 (changed only while no reader is on it)
/// </code>
/// The writer fields name the last writer; whether it lives is its kernel lock at
/// <see cref="LeftRightLayout.WriterLockOffset"/>.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct LeftRightControl
{
    public const int Size = 256;

    [FieldOffset(0)] public ulong Published;
    [FieldOffset(8)] public int Sleepers;
    [FieldOffset(64)] public int WriterPid;
    [FieldOffset(72)] public ulong WriterStartTicks;
    [FieldOffset(80)] public long WriterSinceUnixMs;
    [FieldOffset(128)] public long LastPublishUnixMs;
    [FieldOffset(136)] public fixed long Counts[2];
    [FieldOffset(152)] public fixed long Generations[2];
}
