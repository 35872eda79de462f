namespace ShmMaps.Blob;

/// <summary>
/// A blob map's control region: which tables are in use, where each lies in the heap, how far the heap is used, the
/// bytes the live entries take against the map's budget, and each size class's free list, every lock on a cache line of
/// its own.
/// </summary>
/// <remarks>
/// <code>
///    0  table directory (<see cref="TableDirectory"/>, 256 bytes)
///  256  u64 frontier lock   robust lock word: guards the frontier
///  264  i64 frontier        heap bytes handed out (tables and carved blocks); 0: only table 0's
///  320  i64 table offsets   [32]: table g's offset in the heap (table 0's is 0), written before the table is published
///  576  u64 budget lock     robust lock word: guards live bytes and evictions (<see cref="BlobBudget"/>)
///  584  i64 live bytes      the bytes of the blocks the index names (kept only by maps whose parameters say so)
///  592  i64 evictions       entries evicted to keep the budget, ever
///  600  i64 hand            the eviction hand: the next cell of the newest table it looks at (counted on, taken modulo)
///  640  classes             [SizeClasses.Count] x 64 bytes: u64 lock word (robust; guards the list), i64 head (heap
///                           offset of the first free block, 0: none)
/// 18880 i64 max bytes       the budget for live bytes (0: none), on a line writers leave alone (readers read it)
/// 18888 i64 change log      the heap offset of the change log (<see cref="BlobChangeLog"/>; 0: none yet), written once
/// 18896 i64 cache counts    the heap offset of a shared cache's read counts, 64 lines (0: none yet), written once
/// </code>
/// </remarks>
internal readonly unsafe struct BlobControl(byte* start)
{
    public const int MaxTables = 32;

    private const int FrontierLockOffset = 256;
    private const int FrontierOffset = 264;
    private const int TableOffsetsOffset = 320;
    private const int BudgetLockOffset = 576;
    private const int LiveBytesOffset = 584;
    private const int EvictionsOffset = 592;
    private const int HandOffset = 600;
    private const int ClassesOffset = 640;
    private const int ClassStride = 64;
    private const int MaxBytesOffset = ClassesOffset + (SizeClasses.Count * ClassStride);
    private const int ChangeLogOffset = MaxBytesOffset + 8;
    private const int CacheCountsOffset = MaxBytesOffset + 16;

    /// <summary>The bytes of the region.</summary>
    public const int Size = (MaxBytesOffset + 64 + 4095) / 4096 * 4096;

    public TableDirectory Directory => new(start);

    public ulong* FrontierLock => (ulong*)(start + FrontierLockOffset);

    public long* Frontier => (long*)(start + FrontierOffset);

    /// <summary>Table <paramref name="generation"/>'s offset word (0 for table 0, which is never written).</summary>
    public long* TableOffset(int generation) => (long*)(start + TableOffsetsOffset) + generation;

    public ulong* BudgetLock => (ulong*)(start + BudgetLockOffset);

    public long* LiveBytes => (long*)(start + LiveBytesOffset);

    public long* Evictions => (long*)(start + EvictionsOffset);

    public long* Hand => (long*)(start + HandOffset);

    public long* MaxBytes => (long*)(start + MaxBytesOffset);

    public long* ChangeLog => (long*)(start + ChangeLogOffset);

    public long* CacheCounts => (long*)(start + CacheCountsOffset);

    public ulong* ClassLock(int sizeClass) => (ulong*)(start + ClassesOffset + ((long)sizeClass * ClassStride));

    public long* ClassHead(int sizeClass) => (long*)(start + ClassesOffset + ((long)sizeClass * ClassStride) + 8);
}
