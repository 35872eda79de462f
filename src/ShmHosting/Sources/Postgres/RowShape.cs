namespace ShmMaps.Hosting;

/// <summary>How a replica makes a map value of a table's row: which columns it reads, and what value they make.</summary>
/// <typeparam name="TValue">The map's value type.</typeparam>
internal abstract class RowShape<TValue>
{
    /// <summary>The columns read, in order; null: every column of the table, in the table's order.</summary>
    public abstract IReadOnlyList<string>? Columns { get; }

    /// <summary>What the row makes of <paramref name="columns"/>, whose texts (null: SQL NULL) are <paramref name="texts"/>.</summary>
    public abstract RowValue<TValue> ValueOf(IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts);
}
