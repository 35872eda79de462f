using System.Runtime.InteropServices;

namespace ShmMaps.Core.Registry;

/// <summary>
/// One writer lane of the lane table (region 0 of every map): who holds it and what it is writing.
/// </summary>
/// <remarks>
/// <code>
///   0  u32 generation        bumped by every claimer before it touches the rest
///   4  i32 pid               of the holder, for humans (liveness is the kernel lock)
///   8  u64 start ticks       of the holder process (/proc/pid/stat field 22)
///  16  i64 claimed (Unix ms)
///  24  i64 entry count       this lane's share of the map's Count; written by the holder only
///  32  u32 intent state      IntentState
///  36  u32 undo length
///  40  i64 intent lock offset   file offset of the word being written under
///  48  i64 intent data offset   file offset of the bytes the undo image restores
///  56  i64 count target      the entry count this lane must have if the intent is rolled back
///  64  i64 held lock offset  a plain lock held besides the intent's word (0 = none)
///  72  i32 thread id         of the holder, for humans
///  76  u32 scope state       ScopeState: Committing while a scope's redo log is being applied
///  80  u32 scope records     in the redo log
///  84  u32 scope log start   the log's offset in the undo area
///  88  i64 scope count target  the entry count once the scope is applied
///  96  i32 roll-forward lane  with intent RollingForward: the lane whose committed scope is being applied
/// 100  u32 reserved
/// 104  i64 kind held         a word of the map kind's own format this lane holds (0: none), as the kind records it;
///                            the kind finishes it when it claims the lane (ShmCore never reads it)
/// 112  reserved to 128
/// 128  undo image, LaneSize - 128 bytes
/// </code>
/// A lane is held by one thread of one process; the process holds an exclusive kernel byte lock at
/// <see cref="LaneTable.LockBase"/> + lane index for as long as it holds the lane, and the kernel
/// drops that lock when the process dies. That lock, not the pid, is the liveness test.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct LaneRecord
{
    public const int Size = 128;

    [FieldOffset(0)] public uint Generation;
    [FieldOffset(4)] public int Pid;
    [FieldOffset(8)] public ulong StartTicks;
    [FieldOffset(16)] public long ClaimedUnixMs;
    [FieldOffset(24)] public long EntryCount;
    [FieldOffset(32)] public uint IntentState;
    [FieldOffset(36)] public uint UndoLength;
    [FieldOffset(40)] public long IntentLockOffset;
    [FieldOffset(48)] public long IntentDataOffset;
    [FieldOffset(56)] public long CountTarget;
    [FieldOffset(64)] public long HeldLockOffset;
    [FieldOffset(72)] public int ThreadId;
    [FieldOffset(76)] public uint ScopeState;
    [FieldOffset(80)] public uint ScopeRecords;
    [FieldOffset(84)] public uint ScopeLogStart;
    [FieldOffset(88)] public long ScopeCountTarget;
    [FieldOffset(96)] public int RollForwardLane;
    [FieldOffset(104)] public long KindHeld;
}
