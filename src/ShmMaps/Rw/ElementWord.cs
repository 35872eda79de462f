namespace ShmMaps.Rw;

/// <summary>
/// The 8-byte word in front of every element: the whole of its overhead. It says whether the slot is live,
/// which generation lives there, and who holds the element's reader-writer lock.
/// </summary>
/// <remarks>
/// <code>
/// live        [63..32 generation][31 1][30 0][29 writer][28 writer pending][27..0 readers]
/// recovering  [63..32 generation][31 1][30 1][29..15 recoverer's lane generation (low 15 bits)][14..0 recoverer's lane]
/// free        [63..32 generation of the next occupant (0: 1)][31 0][30 retired][29..0 next free slot + 1]
/// </code>
/// An id names a slot and a generation; every lock is a CAS from a live word of the id's generation, so a
/// stale id (its element removed, the slot reused) can never lock anything. Removing bumps the generation;
/// a slot whose generation would wrap is retired instead of reused, so no id ever comes back. While a
/// recoverer recounts the holders (after a holder died) the word names the recoverer and every other
/// change waits.
/// </remarks>
internal static class ElementWord
{
    public const ulong LiveBit = 1UL << 31;
    public const ulong RecoveringBit = 1UL << 30;
    public const ulong WriterBit = 1UL << 29;
    public const ulong PendingBit = 1UL << 28;
    public const ulong ReaderMask = PendingBit - 1;
    public const ulong RetiredBit = 1UL << 30;
    public const ulong LinkMask = (1UL << 30) - 1;
    private const int LaneBits = 15;
    private const ulong LaneMask = (1UL << LaneBits) - 1;

    /// <summary>The live word of <paramref name="generation"/>, nobody holding it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Live(uint generation) => ((ulong)generation << 32) | LiveBit;

    /// <summary>The live word with the given holders.</summary>
    public static ulong Live(uint generation, bool writer, bool pending, ulong readers) =>
        Live(generation) | (writer ? WriterBit : 0) | (pending ? PendingBit : 0) | readers;

    /// <summary>True when a reader may join: live, of <paramref name="generation"/>, no recoverer, no writer, no writer waiting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadableAt(ulong word, uint generation) =>
        (word & ~ReaderMask) == Live(generation);

    /// <summary>True when a writer may take it: live, of <paramref name="generation"/>, no holder (a pending bit is fine).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool WritableAt(ulong word, uint generation) =>
        (word & ~PendingBit) == Live(generation);

    /// <summary>True when the word is live and of <paramref name="generation"/> (held or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLiveAt(ulong word, uint generation) => (word & (0xFFFF_FFFF_0000_0000UL | LiveBit)) == Live(generation);

    public static bool IsLive(ulong word) => (word & LiveBit) != 0;

    public static bool IsRecovering(ulong word) => (word & (LiveBit | RecoveringBit)) == (LiveBit | RecoveringBit);

    public static uint Generation(ulong word) => (uint)(word >> 32);

    public static ulong Readers(ulong word) => word & ReaderMask;

    public static bool HasWriter(ulong word) => (word & WriterBit) != 0;

    public static bool HasPending(ulong word) => (word & PendingBit) != 0;

    /// <summary>The word while lane <paramref name="lane"/> (at <paramref name="laneGeneration"/>) recounts the holders.</summary>
    public static ulong Recovering(uint generation, int lane, uint laneGeneration) =>
        Live(generation) | RecoveringBit | (((ulong)laneGeneration & LaneMask) << LaneBits) | (uint)lane;

    /// <summary>
    /// A frozen word whose recoverer gave up: it names lane <see cref="LaneMask"/>, which no map has (lanes are fewer), so
    /// every prober sees its recoverer dead and the next one takes it over.
    /// </summary>
    public static ulong Abandoned(uint generation) => Recovering(generation, (int)LaneMask, 0);

    public static int RecovererLane(ulong word) => (int)(word & LaneMask);

    public static uint RecovererGeneration(ulong word) => (uint)((word >> LaneBits) & LaneMask);

    /// <summary>The low 15 bits of a lane generation, as a recovering word keeps them.</summary>
    public static uint ShortGeneration(uint laneGeneration) => laneGeneration & (uint)LaneMask;

    /// <summary>A free word: the next occupant gets <paramref name="generation"/> (0 stands for 1); <paramref name="next"/> is the next free slot + 1.</summary>
    public static ulong Free(uint generation, ulong next) => ((ulong)generation << 32) | next;

    /// <summary>A retired slot: its generation is used up, it is never handed out again.</summary>
    public static ulong Retired(uint generation) => ((ulong)generation << 32) | RetiredBit;

    public static bool IsRetired(ulong word) => (word & (LiveBit | RetiredBit)) == RetiredBit;

    /// <summary>The generation an occupant of a free slot gets.</summary>
    public static uint OccupantGeneration(ulong freeWord) => Math.Max(Generation(freeWord), 1u);

    /// <summary>The next free slot + 1 of a free word.</summary>
    public static ulong Link(ulong freeWord) => freeWord & LinkMask;
}
