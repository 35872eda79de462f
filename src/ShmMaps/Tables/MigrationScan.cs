namespace ShmMaps.Tables;

/// <summary>
/// Where this process's scan for stripes still to move goes on from, once a migration's tickets are taken: the
/// stripes before it were seen moved (a stripe once moved stays moved).
/// </summary>
internal sealed class MigrationScan
{
    /// <summary>[generation of the table moved out of 16][stripe 48].</summary>
    private long _from;

    /// <summary>
    /// The first stripe of table <paramref name="generation"/>'s <paramref name="stripes"/> that
    /// <paramref name="isMoved"/> says is not moved, or <paramref name="stripes"/> if every one is.
    /// </summary>
    public long FirstUnmoved<TTable>(int generation, long stripes, TTable table, Func<TTable, long, bool> isMoved)
    {
        long scan = _from;
        long from = scan >> 48 == generation ? scan & ((1L << 48) - 1) : 0;
        while (from < stripes && isMoved(table, from))
        {
            from++;
        }
        _from = ((long)generation << 48) | from;
        return from;
    }
}
