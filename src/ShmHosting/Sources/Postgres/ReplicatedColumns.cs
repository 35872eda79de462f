using Npgsql.Replication.PgOutput.Messages;

namespace ShmMaps.Hosting;

/// <summary>Where a replica's key and value columns sit in its table's rows, as the table's relation message says.</summary>
/// <param name="Key">The key column's index in a row.</param>
/// <param name="Values">The value columns (names and types), in the order the replica's <see cref="RowShape{TValue}"/> reads them.</param>
/// <param name="SlotOf">For each column of a row, its place in <see cref="Values"/>; -1 for a column the value does not read.</param>
internal sealed record ReplicatedColumns(int Key, RowColumn[] Values, int[] SlotOf)
{
    /// <summary>
    /// The columns of <paramref name="relation"/> (whose types, domains resolved to their base types, are <paramref name="types"/>):
    /// key <paramref name="keyColumn"/> and values <paramref name="valueColumns"/> (null: all); <see cref="ReplicationBrokenException"/>
    /// if one is missing or the key is not the replica identity.
    /// </summary>
    public static ReplicatedColumns Of(RelationMessage relation, IReadOnlyList<uint> types, string keyColumn, IReadOnlyList<string>? valueColumns, PostgresTable table)
    {
        int key = -1;
        bool keyIsIdentity = relation.ReplicaIdentity == RelationMessage.ReplicaIdentitySetting.AllColumns;
        var slotOf = new int[relation.Columns.Count];
        var values = new RowColumn[valueColumns?.Count ?? relation.Columns.Count];
        Array.Fill(slotOf, -1);
        for (int i = 0; i < relation.Columns.Count; i++)
        {
            RelationMessage.Column column = relation.Columns[i];
            if (column.ColumnName == keyColumn)
            {
                key = i;
                keyIsIdentity |= (column.Flags & RelationMessage.Column.ColumnFlags.PartOfKey) != 0;
            }
            int slot = valueColumns is null ? i : IndexOf(valueColumns, column.ColumnName);
            if (slot >= 0)
            {
                slotOf[i] = slot;
                values[slot] = new RowColumn(column.ColumnName, types[i]);
            }
        }
        string? missing = key < 0 ? keyColumn : valueColumns?.FirstOrDefault(name => !relation.Columns.Any(column => column.ColumnName == name));
        if (missing is not null)
        {
            throw new ReplicationBrokenException($"table {table} no longer has column '{missing}': the replica cannot follow it");
        }
        if (!keyIsIdentity)
        {
            throw new ReplicationBrokenException(
                $"table {table}: key column '{keyColumn}' is not its replica identity (make it the primary key, or set REPLICA IDENTITY FULL): deletes could not be followed");
        }
        return new ReplicatedColumns(key, values, slotOf);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        return -1;
    }
}
