namespace ShmMaps.Striped;

/// <summary>The tables one value of a striped map's state word names, as this process maps them.</summary>
internal sealed unsafe class StripedView(ulong state, StripeTable newest, StripeTable? older) : TableView<StripeTable>(state, newest, older)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static StripedView Closed(StripeTable last) => new(ulong.MaxValue, last, last);

    /// <summary>The newest table's stripe 0 (the lookups' path reads it from here, one object away).</summary>
    public byte* Stripes { get; } = newest.Start;

    /// <summary>The newest table's stripe mask.</summary>
    public long StripeMask { get; } = newest.StripeMask;
}
