namespace ShmMaps.Core.Region;

/// <summary>What a map kind asks of its file: identity, sizes, and the lengths of its regions.</summary>
internal sealed class RegionSpec
{
    public required MapKind Kind { get; init; }
    public required int KeySize { get; init; }
    public required int ValueSize { get; init; }
    public required string KeyTypeName { get; init; }
    public required string ValueTypeName { get; init; }
    public long Capacity { get; init; }

    /// <summary>Immutable kind parameters (at most <see cref="MapHeader.SlotCount"/>).</summary>
    public long[] KindParameters { get; init; } = [];

    /// <summary>The lengths of the kind's regions (region 1 onwards; region 0 is the lane table).</summary>
    public long[] RegionLengths { get; init; } = [];

    /// <summary>The largest undo image a lane must hold (the protected bytes of one cell).</summary>
    public int UndoCapacity { get; init; }
}
