using System.Runtime.InteropServices;

namespace ShmMaps.Blob;

/// <summary>
/// What one lane of a blob map is doing, in the lane's undo area: enough for whoever takes a lock over from the lane's
/// dead holder to finish or undo the write exactly once (the protocol is in BlobMap.Recovery.cs).
/// </summary>
/// <remarks>
/// <code>
///  0  u32 step        BlobStep
///  4  i32 class       the size class of Block; Writing a tombstone: -1 if the write is an eviction
///  8  i64 block       the heap offset a class step concerns, or the block taken
/// 16  u64 old         the entry the cell held before the write (Proxy: the lane whose record this lane finishes)
/// 24  u64 new         the entry (or tombstone) the write puts in the cell
/// 32  i32 generation  the table of the stripe
/// 36  i32 cell        the cell in the stripe
/// 40  i64 stripe      the stripe locked
/// 48  i64 blocks      Carving: how many blocks the carve makes; Accounting: the live bytes before the write
/// 56  i64 head        Carving: the class's free-list head before the carve; Taking: the leased block the taken one
///                     follows in the list (0: the taken one heads it); Accounting: the evictions before this one (-1:
///                     not an eviction)
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct BlobRecord
{
    public const int Size = 64;

    /// <summary>The <see cref="Class"/> of a record whose tombstone evicts the entry rather than removes it.</summary>
    public const int Eviction = -1;

    [FieldOffset(0)] public uint Step;
    [FieldOffset(4)] public int Class;
    [FieldOffset(8)] public long Block;
    [FieldOffset(16)] public ulong Old;
    [FieldOffset(24)] public ulong New;
    [FieldOffset(32)] public int Generation;
    [FieldOffset(36)] public int Cell;
    [FieldOffset(40)] public long Stripe;
    [FieldOffset(48)] public long Blocks;
    [FieldOffset(56)] public long Head;

    /// <summary>The step, read with acquire: the fields it covers were written first.</summary>
    public static unsafe BlobStep StepOf(BlobRecord* record) => (BlobStep)SharedMemory.ReadAcquire(&record->Step);

    /// <summary>Moves to <paramref name="step"/> (release: the fields it covers are written first).</summary>
    public static unsafe void Enter(BlobRecord* record, BlobStep step) => SharedMemory.WriteRelease(&record->Step, (uint)step);

    /// <summary>Whether the record names stripe <paramref name="stripe"/> of table <paramref name="generation"/>.</summary>
    public static unsafe bool Names(BlobRecord* record, int generation, long stripe) => record->Generation == generation && record->Stripe == stripe;
}
