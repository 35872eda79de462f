namespace ShmMaps.Tables;

/// <summary>
/// The shared words that say which of a growing map's tables are in use (a region of its file), each on its own
/// cache line: one protocol for every kind that grows by doubling its table (<see cref="SeqMap{TKey,TValue}"/>,
/// <see cref="StripedMap{TKey,TValue}"/>).
/// </summary>
/// <remarks>
/// <code>
///   0  u64 state          [generation 8][migrating 1]: the newest table; while migrating, the table before it
///                         is being copied into it, a stripe at a time. Changed by CAS only:
///                         (g, steady) -> (g+1, migrating) -> (g+1, steady)
///  64  i64 cursor         tickets for the stripes helpers copy (reset when a migration starts)
/// 128  i64 retired below  tables below this generation have been given back to the file system
/// 192  reserved
/// </code>
/// A table stays readable until it is given back, which waits until no live handle reads it (<see cref="TableRetirement"/>):
/// a lookup that began before reads it, and checks the state word after.
/// </remarks>
internal readonly unsafe struct TableDirectory
{
    public const int Size = 256;

    private const ulong MigratingBit = 1UL << 8;

    /// <summary>
    /// The directory of a map that never grows (a file made before its kind grew): this process's zeroed words, one
    /// block for every such map. Its state stays steady at table 0: no one writes it, since growing, helping and
    /// giving back all need a second table.
    /// </summary>
    public static TableDirectory Unchanging { get; } = new((byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(Size));

    public TableDirectory(byte* words)
    {
        State = (ulong*)words;
        Cursor = (long*)(words + 64);
        RetiredBelow = (long*)(words + 128);
    }

    public ulong* State { get; }

    public long* Cursor { get; }

    public long* RetiredBelow { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Generation(ulong state) => (int)(state & 0xFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMigrating(ulong state) => (state & MigratingBit) != 0;

    public static ulong Steady(int generation) => (ulong)generation;

    public static ulong Migrating(int generation) => (ulong)generation | MigratingBit;

    /// <summary>Whether <paramref name="state"/> names a state of a file with room for <paramref name="tables"/> tables.</summary>
    public static bool IsValid(ulong state, int tables) =>
        state >> 9 == 0 && Generation(state) < tables && !(IsMigrating(state) && Generation(state) == 0);

    /// <summary>Checks that a state word read from map <paramref name="name"/>'s file names a state of a file with room for <paramref name="tables"/> tables: <see cref="CorruptMapException"/> if not.</summary>
    public static void Check(ulong state, int tables, string name)
    {
        if (!IsValid(state, tables))
        {
            ThrowHelper.ThrowCorrupt($"map '{name}': its table state word 0x{state:X} names no state of a file with room for {tables} tables");
        }
    }

    /// <summary>The oldest table <paramref name="state"/> keeps in use.</summary>
    public static int OldestLive(ulong state) => Generation(state) - (IsMigrating(state) ? 1 : 0);

    /// <summary>The state word now (acquire: the tables it names were reserved before it was published).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadState() => SharedMemory.ReadAcquire(State);

    /// <summary>
    /// Publishes the migration from steady <paramref name="from"/> into table <paramref name="next"/> (reserved by the
    /// caller): from here no write lands in the old table (writers check the state after their lock CAS).
    /// </summary>
    public void BeginMigration(ulong from, int next)
    {
        SharedMemory.WriteRelease(Cursor, 0);
        Interlocked.CompareExchange(ref *State, Migrating(next), from);
    }

    /// <summary>
    /// Publishes the end of migration <paramref name="from"/> (every stripe moved): lookups that read the new state use the
    /// newest table alone; the old one waits until no handle reads it.
    /// </summary>
    public void EndMigration(ulong from)
    {
        Interlocked.CompareExchange(ref *State, Steady(Generation(from)), from);
    }

    /// <summary>A helper's ticket: the index of a stripe to move (spreads helpers over the stripes; past the last, none).</summary>
    public long TakeTicket() => Interlocked.Increment(ref *Cursor) - 1;
}
