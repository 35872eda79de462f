namespace ShmMaps.Core.Locking;

/// <summary>
/// The 8-byte word of every robust lock and seqlock cell.
/// </summary>
/// <remarks>
/// <code>
/// [63..32 version][31..16 owner generation][15..1 owner lane][0 locked]
/// </code>
/// Unlocked, the owner bits are zero and the version counts completed writes (a seqlock reader compares
/// the whole word before and after its copy). Locked, the word keeps the version and names the owner's
/// lane and the lane's generation (<see cref="LaneOwner"/>), so a waiter can ask whether that owner is alive
/// and, if not, recover. Releasing stores <c>version + 1</c> unlocked. A 32-bit version repeats only after 2^32
/// writes to one cell while a reader sleeps between its two loads, as in the Linux kernel's seqcount.
/// </remarks>
internal static class LockWord
{
    /// <summary>The bits that name the owner and the locked flag.</summary>
    public const ulong OwnerMask = LaneOwner.Mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLocked(ulong word) => LaneOwner.IsHeld(word);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Version(ulong word) => (uint)(word >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OwnerLane(ulong word) => LaneOwner.Lane(word);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort OwnerGeneration(ulong word) => LaneOwner.Generation(word);

    /// <summary>The word <paramref name="current"/> locked by the owner <paramref name="ownerTag"/>, version kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Locked(ulong current, ulong ownerTag) => (current & ~OwnerMask) | ownerTag;

    /// <summary>The word after a release: the next version, unlocked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Released(ulong locked) => (ulong)(Version(locked) + 1) << 32;
}
