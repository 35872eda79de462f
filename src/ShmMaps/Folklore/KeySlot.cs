using System.Runtime.InteropServices;

namespace ShmMaps.Folklore;

/// <summary>
/// One key of the key store: where its bytes are, their hash, and who wrote it.
/// </summary>
/// <remarks>
/// <code>
///  0  u64 hash      XXH3 of the key bytes with the map's seed (compared before the bytes)
///  8  i64 offset    of the bytes in the key byte region
/// 16  u32 length    in bytes
/// 20  u32 state     KeySlotState
/// 24  u64 owner     lane and generation of the writer (a lock-word owner tag), to tell a dead writer's leftovers
/// </code>
/// A slot is written whole before the CAS that names it in an entry; from then on it never changes.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct KeySlot
{
    public const int Size = 32;

    [FieldOffset(0)] public ulong Hash;
    [FieldOffset(8)] public long Offset;
    [FieldOffset(16)] public uint Length;
    [FieldOffset(20)] public uint State;
    [FieldOffset(24)] public ulong Owner;
}
