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

    /// <summary>
    /// How many bytes of each of the kind's regions (as <see cref="RegionLengths"/>) are reserved at create; null: all
    /// of every one. A region reserved in part grows: its kind reserves more (<see cref="MapRegion.Reserve"/>) before
    /// it touches bytes past what is reserved.
    /// </summary>
    public long[]? ReservedAtCreate { get; init; }

    /// <summary>The bytes of region <paramref name="index"/> (1 onwards) reserved at create.</summary>
    public long ReservedLength(int index) => ReservedAtCreate?[index - 1] ?? RegionLengths[index - 1];

    /// <summary>The largest undo image a lane must hold (the protected bytes of one cell).</summary>
    public int UndoCapacity { get; init; }
}
