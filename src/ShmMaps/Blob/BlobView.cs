namespace ShmMaps.Blob;

/// <summary>The tables one value of a blob map's state word names, as this process maps them.</summary>
internal sealed class BlobView(ulong state, BlobTable newest, BlobTable? older) : TableView<BlobTable>(state, newest, older)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static BlobView Closed(BlobTable last) => new(ulong.MaxValue, last, last);

    /// <summary>
    /// Whether stripe <paramref name="stripe"/> of <paramref name="table"/> (one of this view's) holds its entries now:
    /// an older table's until it is moved, the newest's once its old stripe is.
    /// </summary>
    public bool Holds(BlobTable table, long stripe) =>
        Older is null || (table == Older ? !IsMoved(stripe) : IsMoved(stripe & Older.StripeMask));
}
