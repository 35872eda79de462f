namespace ShmMaps.Tables;

/// <summary>The tables one value of a <see cref="TableDirectory"/> state word names, as a process maps them (each kind adds its own tables).</summary>
internal abstract class TableView(ulong state)
{
    /// <summary>The state word.</summary>
    public ulong State => state;

    /// <summary>The generation writes go to.</summary>
    public int Generation => TableDirectory.Generation(state);

    /// <summary>Whether the table before the newest is being copied into it.</summary>
    public bool IsMigrating => TableDirectory.IsMigrating(state);

    /// <summary>The state word when no migration is in progress, else a value no state word has: one compare tells a lookup it may take the straight path.</summary>
    public ulong SteadyState { get; } = TableDirectory.IsMigrating(state) ? ulong.MaxValue : state;
}
