using Npgsql.Replication.PgOutput.Messages;

namespace ShmMaps.Hosting;

/// <summary>Where a replica's key and value columns sit in its table's rows, as the table's relation message says.</summary>
internal sealed record ReplicatedColumns(int Key, int Value)
{
    /// <summary>The columns of <paramref name="relation"/>; <see cref="ReplicationBrokenException"/> if one is missing or the key is not the replica identity.</summary>
    public static ReplicatedColumns Of(RelationMessage relation, PostgresSourceSettings settings, PostgresTable table)
    {
        int key = -1;
        int value = -1;
        bool keyIsIdentity = relation.ReplicaIdentity == RelationMessage.ReplicaIdentitySetting.AllColumns;
        for (int i = 0; i < relation.Columns.Count; i++)
        {
            RelationMessage.Column column = relation.Columns[i];
            if (column.ColumnName == settings.KeyColumn)
            {
                key = i;
                keyIsIdentity |= (column.Flags & RelationMessage.Column.ColumnFlags.PartOfKey) != 0;
            }
            else if (column.ColumnName == settings.ValueColumn)
            {
                value = i;
            }
        }
        if (key < 0 || value < 0)
        {
            throw new ReplicationBrokenException(
                $"table {table} no longer has {(key < 0 ? $"key column '{settings.KeyColumn}'" : $"value column '{settings.ValueColumn}'")}: the replica cannot follow it");
        }
        if (!keyIsIdentity)
        {
            throw new ReplicationBrokenException(
                $"table {table}: key column '{settings.KeyColumn}' is not its replica identity (make it the primary key, or set REPLICA IDENTITY FULL): deletes could not be followed");
        }
        return new ReplicatedColumns(key, value);
    }
}
