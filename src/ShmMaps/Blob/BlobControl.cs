namespace ShmMaps.Blob;

/// <summary>
/// A blob map's control region: which tables are in use, where each lies in the heap, how far the heap is used, and
/// each size class's free list, every lock on a cache line of its own.
/// </summary>
/// <remarks>
/// <code>
///    0  table directory (<see cref="TableDirectory"/>, 256 bytes)
///  256  u64 frontier lock   robust lock word: guards the frontier
///  264  i64 frontier        heap bytes handed out (tables and carved blocks); 0: only table 0's
///  320  i64 table offsets   [32]: table g's offset in the heap (table 0's is 0), written before the table is published
///  640  classes             [SizeClasses.Count] x 64 bytes: u64 lock word (robust; guards the list), i64 head (heap
///                           offset of the first free block, 0: none)
/// </code>
/// </remarks>
internal readonly unsafe struct BlobControl(byte* start)
{
    public const int MaxTables = 32;

    private const int FrontierLockOffset = 256;
    private const int FrontierOffset = 264;
    private const int TableOffsetsOffset = 320;
    private const int ClassesOffset = 640;
    private const int ClassStride = 64;

    /// <summary>The bytes of the region.</summary>
    public const int Size = (ClassesOffset + (SizeClasses.Count * ClassStride) + 4095) / 4096 * 4096;

    public TableDirectory Directory => new(start);

    public ulong* FrontierLock => (ulong*)(start + FrontierLockOffset);

    public long* Frontier => (long*)(start + FrontierOffset);

    /// <summary>Table <paramref name="generation"/>'s offset word (0 for table 0, which is never written).</summary>
    public long* TableOffset(int generation) => (long*)(start + TableOffsetsOffset) + generation;

    public ulong* ClassLock(int sizeClass) => (ulong*)(start + ClassesOffset + ((long)sizeClass * ClassStride));

    public long* ClassHead(int sizeClass) => (long*)(start + ClassesOffset + ((long)sizeClass * ClassStride) + 8);
}
