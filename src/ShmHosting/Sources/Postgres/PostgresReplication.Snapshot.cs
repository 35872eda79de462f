using System.Data;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication.PgOutput;

namespace ShmMaps.Hosting;

/// <summary>How a <see cref="PostgresReplication{TKey, TValue}"/> loads a snapshot of its table and prepares the server (publication, slot).</summary>
internal sealed partial class PostgresReplication<TKey, TValue>
{
    /// <summary>Reads the table in the slot's exported snapshot; the last change handed on carries the slot's consistent point.</summary>
    private async Task LoadSnapshotAsync(NpgsqlConnection sql, PgOutputReplicationSlot slot, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        ulong consistentPoint = (ulong)slot.ConsistentPoint;
        HashSet<TKey> stale = _map.Keys();
        stale.UnionWith(_snapshotKeys);
        _logger.LogInformation("map {Map}: loading a snapshot of {Table} (slot {Slot} at {Position}; the map holds {Keys} keys)",
            _mapName, _table, _slot, slot.ConsistentPoint, stale.Count);
        long rows = 0;
        MapChange<TKey, TValue>? held = null; // handed on when the next one comes, so that the last can carry the position
        await using (NpgsqlTransaction transaction = await sql.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
        {
            await using (var setSnapshot = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{slot.SnapshotName}'", sql, transaction))
            {
                await setSnapshot.ExecuteNonQueryAsync(cancellationToken);
            }
            // Every column in text form (each type's output function), as the stream sends them; the key first.
            await using var select = new NpgsqlCommand($"SELECT {PostgresTable.Quote(_settings.KeyColumn!)}, {ValueList()} FROM {_table.Quoted}", sql, transaction)
            {
                AllResultTypesAreUnknown = true,
            };
            await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken);
            RowColumn[] columns = [.. Enumerable.Range(1, reader.FieldCount - 1).Select(i => new RowColumn(reader.GetName(i), reader.GetDataTypeOID(i)))];
            var texts = new string?[columns.Length];
            while (await reader.ReadAsync(cancellationToken))
            {
                rows++;
                for (int i = 0; i < texts.Length; i++)
                {
                    texts[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
                }
                if (reader.IsDBNull(0) || ToChange(reader.GetString(0), columns, texts) is not { } change)
                {
                    continue;
                }
                stale.Remove(change.Key);
                _snapshotKeys.Add(change.Key);
                if (held is { } previous)
                {
                    await changes.WriteAsync(previous, cancellationToken);
                }
                held = change;
            }
        }
        foreach (TKey key in stale)
        {
            if (held is { } previous)
            {
                await changes.WriteAsync(previous, cancellationToken);
            }
            held = MapChange<TKey, TValue>.Remove(key);
        }
        _handedOn = consistentPoint;
        _snapshotKeys.Clear(); // handed on whole: what the queue holds ends in the table's state
        if (held is { } last)
        {
            Volatile.Write(ref _snapshotEnd, consistentPoint);
            _unpublished.Enqueue((consistentPoint, DateTimeOffset.UtcNow));
            await changes.WriteAsync(last with { Position = consistentPoint }, cancellationToken);
        }
        else
        {
            _marker!.Write(new ReplicaState(_mapIdentity, _slotHash, consistentPoint)); // nothing to publish: the map is the table
            InterlockedMax(ref _published, consistentPoint);
        }
        _logger.LogInformation("map {Map}: snapshot of {Table} read: {Rows} rows, {Stale} keys the table no longer has", _mapName, _table, rows, stale.Count);
    }

    /// <summary>The value columns quoted for a SELECT list (<c>*</c>: all).</summary>
    private string ValueList() => _shape.Columns is { } names ? string.Join(", ", names.Select(PostgresTable.Quote)) : "*";

    /// <summary>That the table and its key and value columns exist (else <see cref="ReplicationBrokenException"/>).</summary>
    private async Task CheckTableAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new NpgsqlCommand($"SELECT {PostgresTable.Quote(_settings.KeyColumn!)}, {ValueList()} FROM {_table.Quoted} LIMIT 0", sql);
            await probe.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            string values = _shape.Columns is { } names ? string.Join(", ", names.Select(name => $"'{name}'")) : "all";
            throw new ReplicationBrokenException($"map '{_mapName}': {e.MessageText} (table {_table}, key column '{_settings.KeyColumn}', value columns {values})", e);
        }
    }

    /// <summary>Creates the publication of the table, or adds the table to it, if need be.</summary>
    private async Task EnsurePublicationAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        string publication = _settings.PublicationName;
        await using var find = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM pg_publication WHERE pubname = @p), " +
            "(SELECT count(*) FROM pg_publication_tables WHERE pubname = @p AND schemaname = @s AND tablename = @t)", sql);
        find.Parameters.AddWithValue("p", publication);
        find.Parameters.AddWithValue("s", _table.Schema);
        find.Parameters.AddWithValue("t", _table.Name);
        await using NpgsqlDataReader found = await find.ExecuteReaderAsync(cancellationToken);
        await found.ReadAsync(cancellationToken);
        (long publications, long tables) = (found.GetInt64(0), found.GetInt64(1));
        await found.DisposeAsync();
        string? ddl = publications == 0 ? $"CREATE PUBLICATION {PostgresTable.Quote(publication)} FOR TABLE {_table.Quoted}"
            : tables == 0 ? $"ALTER PUBLICATION {PostgresTable.Quote(publication)} ADD TABLE {_table.Quoted}" : null;
        if (ddl is not null)
        {
            try
            {
                await using var create = new NpgsqlCommand(ddl, sql);
                await create.ExecuteNonQueryAsync(cancellationToken);
                _logger.LogInformation("map {Map}: {Statement}", _mapName, ddl);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
                // Another replica of the table (another host) made it between our look and our statement.
            }
        }
    }

    private async Task<bool> SlotExistsAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = @s", sql);
        find.Parameters.AddWithValue("s", _slot);
        return (long)(await find.ExecuteScalarAsync(cancellationToken))! > 0;
    }
}
