using System.Runtime.InteropServices;

namespace ShmMaps.Folklore;

/// <summary>
/// One key of the key store: its hash, its bytes (inline when short, else where they are), and who wrote it.
/// </summary>
/// <remarks>
/// <code>
///  0  u64 hash      XXH3 of the key bytes with the map's seed (compared before the bytes)
///  8  u32 length    in bytes
/// 12  u32 state     KeySlotState
/// 16  u64 owner     lane and generation of the writer (a lock-word owner tag), to tell a dead writer's leftovers
/// 24  keys of up to 40 bytes: the bytes themselves
///     longer keys:            i64 offset of the bytes in the key byte region
/// 64
/// </code>
/// One cache line: a lookup of a short key reads its entry and this line, nothing else. A slot is
/// written whole before the CAS that names it in an entry; from then on it never changes.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct KeySlot
{
    public const int Size = 64;

    /// <summary>Keys of up to this many bytes live in the slot.</summary>
    public const int InlineBytes = Size - InlineOffset;

    private const int InlineOffset = 24;

    [FieldOffset(0)] public ulong Hash;
    [FieldOffset(8)] public uint Length;
    [FieldOffset(12)] public uint State;
    [FieldOffset(16)] public ulong Owner;
    [FieldOffset(InlineOffset)] public long Offset;
    [FieldOffset(InlineOffset)] public fixed byte Inline[InlineBytes];
}
