namespace ShmMaps.Tables;

/// <summary>
/// When an add to a map that grows at a load looks at the load (a count reads every lane, so not at every add), and
/// what the count says: one throttle for <see cref="SeqMap{TKey,TValue}"/> and <see cref="StripedMap{TKey,TValue}"/>.
/// </summary>
/// <remarks>A mutable struct held in a field of the map (its count of adds is this handle's own, and need not be exact).</remarks>
internal struct LoadCheck
{
    /// <summary>How often (in adds, per handle) an add looks at the load of a table past <see cref="SmallTableCells"/>.</summary>
    public const int Interval = 64;

    /// <summary>The table size (in cells) up to which every add looks at the load.</summary>
    public const long SmallTableCells = 1024;

    private int _adds;

    /// <summary>Whether this add, to a steady table of <paramref name="cells"/> (or one that landed <paramref name="far"/> from its home), looks at the load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDue(long cells, bool far = false) => cells <= SmallTableCells || far || ++_adds % Interval == 0;

    /// <summary>
    /// Whether <paramref name="count"/> entries in a table of <paramref name="cells"/> are past <paramref name="growLoad"/>;
    /// <see cref="CorruptMapException"/> for a count no table of the map could hold (more than twice the
    /// <paramref name="newestCells"/> of its newest table: a damaged lane count, which must not grow the map, each growth
    /// doubling the file for nothing).
    /// </summary>
    public static bool CallsForGrowth(long count, long cells, double growLoad, long newestCells, string name)
    {
        if (count <= cells * growLoad)
        {
            return false;
        }
        if (count > 2 * newestCells)
        {
            ThrowHelper.ThrowCorrupt($"map '{name}': its lanes count {count:N0} entries, more than twice the {newestCells:N0} cells of its newest table");
        }
        return true;
    }
}
