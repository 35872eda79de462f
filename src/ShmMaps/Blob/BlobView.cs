namespace ShmMaps.Blob;

/// <summary>The tables one value of a blob map's state word names, as this process maps them.</summary>
internal sealed class BlobView(ulong state, BlobTable newest, BlobTable? older) : TableView<BlobTable>(state, newest, older)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static BlobView Closed(BlobTable last) => new(ulong.MaxValue, last, last);
}
