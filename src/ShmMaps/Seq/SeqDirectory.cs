using System.Runtime.CompilerServices;

namespace ShmMaps.Seq;

/// <summary>
/// The shared words that say which of a <see cref="SeqMap{TKey,TValue}"/>'s tables are in use (region 1 of its
/// file), each on its own cache line.
/// </summary>
/// <remarks>
/// <code>
///   0  u64 state          [generation 8][migrating 1]: the newest table; while migrating, the table before it
///                         is being copied into it, stripe by stripe. Changed by CAS only:
///                         (g, steady) -> (g+1, migrating) -> (g+1, steady)
///  64  i64 cursor         tickets for the stripes helpers copy (reset when a migration starts)
/// 128  i64 retired below  tables below this generation have been given back to the file system
/// 192  i64 steady since   Unix milliseconds when the newest table's migration ended
/// </code>
/// A table stays readable until it is given back, which waits <see cref="SeqMapLayout.RetireGrace"/> after the
/// migration out of it ended: a lookup that began before reads it, and checks the state word after.
/// </remarks>
internal readonly unsafe struct SeqDirectory
{
    public const int Size = 256;
    private const ulong MigratingBit = 1UL << 8;

    public SeqDirectory(byte* words)
    {
        State = (ulong*)words;
        Cursor = (long*)(words + 64);
        RetiredBelow = (long*)(words + 128);
        SteadySince = (long*)(words + 192);
    }

    public ulong* State { get; }

    public long* Cursor { get; }

    public long* RetiredBelow { get; }

    public long* SteadySince { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Generation(ulong state) => (int)(state & 0xFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMigrating(ulong state) => (state & MigratingBit) != 0;

    public static ulong Steady(int generation) => (ulong)generation;

    public static ulong Migrating(int generation) => (ulong)generation | MigratingBit;
}
