using ShmMaps.Tables;

namespace ShmMaps.Seq;

/// <summary>The tables one value of a <see cref="TableDirectory"/> state word names, as this process maps them.</summary>
internal sealed unsafe class SeqView
{
    public SeqView(ulong state, SeqTable newest, SeqTable? older)
    {
        State = state;
        Newest = newest;
        Older = older;
        SteadyCells = older is null ? newest.CellBase : null;
        SteadyState = older is null ? state : ulong.MaxValue;
        Mask = newest.Mask;
    }

    /// <summary>The state word.</summary>
    public ulong State { get; }

    /// <summary>The table writes go to.</summary>
    public SeqTable Newest { get; }

    /// <summary>While migrating, the table being copied into <see cref="Newest"/>; else null.</summary>
    public SeqTable? Older { get; }

    /// <summary>The state word when no migration is in progress, else a value no state word has: one compare tells a lookup it may take the straight path.</summary>
    public ulong SteadyState { get; }

    /// <summary>The newest table's cells when no migration is in progress (the lookups' straight path), else null.</summary>
    public byte* SteadyCells { get; }

    /// <summary>The newest table's cell mask.</summary>
    public long Mask { get; }
}
