namespace ShmMaps.Seq;

/// <summary>The tables one value of a <see cref="TableDirectory"/> state word names, as this process maps them.</summary>
internal sealed unsafe class SeqView(ulong state, SeqTable newest, SeqTable? older) : TableView<SeqTable>(state, newest, older)
{
    /// <summary>A disposed handle's view: no state word equals its state, and it names no steady table.</summary>
    public static SeqView Closed(SeqTable last) => new(ulong.MaxValue, last, last);

    /// <summary>The newest table's cells when no migration is in progress (the lookups' straight path), else null.</summary>
    public byte* SteadyCells { get; } = older is null ? newest.CellBase : null;

    /// <summary>The newest table's cell mask.</summary>
    public long Mask { get; } = newest.Mask;
}
