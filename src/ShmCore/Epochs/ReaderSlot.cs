using System.Runtime.InteropServices;

namespace ShmMaps.Core.Epochs;

/// <summary>
/// One reader thread's slot in a reader table: the pin word a writer waits on, and who holds the slot.
/// </summary>
/// <remarks>
/// <code>
///  0  u64 pin: [enters: 62][state: 2] (see <see cref="ReaderPin"/>)
///  8  u32 fenced: 1 if the holder fences its own pins, 0 if it relies on the writer's system-wide barrier
/// 12  u32 reserved
/// 16  u64 pinned sequence: the publish sequence that guard read
/// 24  i32 pid                   28  u32 generation: bumped by every claim of the slot
/// 32  u64 start ticks of the holder (/proc/pid/stat field 22)
/// 40  i64 claimed (Unix ms)
/// 48  reserved to 64
/// </code>
/// The holder's liveness is its kernel byte lock at <see cref="ReaderSlotTable.LockBase"/> + index.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ReaderSlot
{
    /// <summary>The slot's size: one cache line, so that readers never share a line.</summary>
    public const int Size = 64;

    [FieldOffset(0)] public ulong Pin;
    [FieldOffset(8)] public uint Fenced;
    [FieldOffset(16)] public ulong PinnedSequence;
    [FieldOffset(24)] public int Pid;
    [FieldOffset(28)] public uint Generation;
    [FieldOffset(32)] public ulong StartTicks;
    [FieldOffset(40)] public long ClaimedUnixMs;
}
