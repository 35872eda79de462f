using System.Runtime.InteropServices;

namespace ShmMaps.Rw;

/// <summary>
/// The control block of an <see cref="RwStore{T}"/> (region 1): where the next slot comes from.
/// </summary>
/// <remarks>
/// <code>
///  0  u64 free-list lock   a robust lock word (LockWord): owner lane and generation while held
///  8  u64 free head        slot + 1 of the first free slot (0: the list is empty); links run through the
///                          free slots' element words
/// 16  i64 next fresh slot  slots below it have been handed out at least once
/// 24  reserved to 64
/// </code>
/// Both fields change only under the lock, and each change is recorded first in the changer's allocation
/// record, so that a waiter that finds the lock's owner dead can finish or undo what it was doing.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct RwControl
{
    public const int Size = 64;

    [FieldOffset(0)] public ulong FreeListLock;
    [FieldOffset(8)] public ulong FreeHead;
    [FieldOffset(16)] public long NextFresh;
}
