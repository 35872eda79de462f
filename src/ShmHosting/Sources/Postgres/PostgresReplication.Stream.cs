using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace ShmMaps.Hosting;

/// <summary>How a <see cref="PostgresReplication{TKey, TValue}"/> turns the <c>pgoutput</c> stream into the map's changes, a transaction at a time.</summary>
internal sealed partial class PostgresReplication<TKey, TValue>
{
    private async Task HandleAsync(PgOutputReplicationMessage message, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case BeginMessage:
                _transaction.Clear();
                break;
            case RelationMessage relation when Ours(relation):
                _columns = ReplicatedColumns.Of(relation, await BaseTypesAsync(relation, cancellationToken), _settings.KeyColumn!, _shape.Columns, _table);
                break;
            case InsertMessage insert when Ours(insert.Relation):
                await AddRowAsync(insert.NewRow, cancellationToken);
                break;
            case UpdateMessage update when Ours(update.Relation):
                ReplicationTuple? oldRow = update switch
                {
                    IndexUpdateMessage index => index.Key,
                    FullUpdateMessage full => full.OldRow,
                    _ => null,
                };
                RowKey<TKey> oldKey = await ReadKeyAsync(oldRow, cancellationToken);
                RowKey<TKey> newKey = await AddRowAsync(update.NewRow, cancellationToken);
                if (oldKey.Found && (!newKey.Found || !oldKey.Value.Equals(newKey.Value)))
                {
                    _transaction.Insert(_transaction.Count - (newKey.Added ? 1 : 0), MapChange<TKey, TValue>.Remove(oldKey.Value));
                }
                break;
            case DeleteMessage delete when Ours(delete.Relation):
                ReplicationTuple? deletedRow = delete switch
                {
                    KeyDeleteMessage byKey => byKey.Key,
                    FullDeleteMessage full => full.OldRow,
                    _ => null,
                };
                if (await ReadKeyAsync(deletedRow, cancellationToken) is { Found: true } gone)
                {
                    _transaction.Add(MapChange<TKey, TValue>.Remove(gone.Value));
                }
                break;
            case TruncateMessage truncate when truncate.Relations.Any(Ours):
                _marker?.Write(ReplicaState.Unloaded(_slotHash)); // the next start loads the table again
                throw new ReplicationBrokenException(
                    $"map '{_mapName}': table {_table} was truncated; the replica stops here, and the sidecar's next start loads the table again");
            case CommitMessage commit:
                await CommitAsync(commit, changes, cancellationToken);
                break;
        }
    }

    /// <summary>Hands on the transaction's changes, the last carrying its end; passes over one the map has already.</summary>
    private async Task CommitAsync(CommitMessage commit, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        ulong end = (ulong)commit.TransactionEndLsn;
        if (end <= _handedOn)
        {
            _transaction.Clear(); // sent again after a reconnect or restart: already handed on
            return;
        }
        if (_transaction.Count == 0)
        {
            // Nothing of ours: confirmable at once if everything handed on is published.
            if (Interlocked.Read(ref _published) >= _handedOn)
            {
                _handedOn = end;
                await PublishedAsync(end, cancellationToken);
            }
            return;
        }
        _transaction[^1] = _transaction[^1] with { Position = end };
        _unpublished.Enqueue((end, commit.TransactionCommitTimestamp));
        _handedOn = end;
        lock (_publishing)
        {
            ReportLag();
        }
        foreach (MapChange<TKey, TValue> change in _transaction)
        {
            await changes.WriteAsync(change, cancellationToken);
        }
        _transaction.Clear();
    }

    /// <summary>
    /// Reads a new row: its key and value become a change (a set, or a removal), added to the transaction; the key, if it
    /// was readable (and whether a change was added for it).
    /// </summary>
    private async Task<RowKey<TKey>> AddRowAsync(ReplicationTuple row, CancellationToken cancellationToken)
    {
        (string? keyText, string?[] texts, bool unchanged) = await ReadColumnsAsync(row, cancellationToken);
        if (keyText is null)
        {
            return default;
        }
        if (unchanged)
        {
            if (await ReadRowAsync(keyText, cancellationToken) is not { } current)
            {
                // The row is gone from the table (or has another key) by now: the stream's later change of it says so.
                return TKey.TryParse(keyText, CultureInfo.InvariantCulture, out TKey? passed) ? RowKey<TKey>.Of(passed, added: false) : default;
            }
            texts = current;
        }
        if (ToChange(keyText, _columns!.Values, texts) is not { } change)
        {
            return default;
        }
        _transaction.Add(change);
        return RowKey<TKey>.Of(change.Key, added: true);
    }

    private async Task<RowKey<TKey>> ReadKeyAsync(ReplicationTuple? row, CancellationToken cancellationToken)
    {
        if (row is null)
        {
            return default;
        }
        (string? keyText, _, _) = await ReadColumnsAsync(row, cancellationToken);
        return keyText is not null && TKey.TryParse(keyText, CultureInfo.InvariantCulture, out TKey? key) ? RowKey<TKey>.Of(key, added: false) : default;
    }

    /// <summary>
    /// The key's and value columns' text of a row (every column is read, in order, as the protocol requires), and whether
    /// a value column was left out as unchanged (a TOASTed value an update did not touch).
    /// </summary>
    private async Task<(string? Key, string?[] Values, bool Unchanged)> ReadColumnsAsync(ReplicationTuple row, CancellationToken cancellationToken)
    {
        ReplicatedColumns columns = _columns ?? throw new ReplicationBrokenException($"map '{_mapName}': a row of {_table} came before its relation");
        string? key = null;
        var values = new string?[columns.Values.Length];
        bool unchanged = false;
        int index = 0;
        await foreach (ReplicationValue column in row.WithCancellation(cancellationToken))
        {
            bool isKey = index == columns.Key;
            int slot = index < columns.SlotOf.Length ? columns.SlotOf[index] : -1;
            if ((isKey || slot >= 0) && column.Kind == TupleDataKind.UnchangedToastedValue)
            {
                unchanged |= slot >= 0;
            }
            else if ((isKey || slot >= 0) && !column.IsDBNull)
            {
                string text = await column.Get<string>(cancellationToken);
                key = isKey ? text : key;
                if (slot >= 0)
                {
                    values[slot] = text;
                }
            }
            index++;
        }
        return (key, values, unchanged);
    }

    /// <summary>The value columns' text of the table's row of key <paramref name="keyText"/> as it is now; null if the table has no such row.</summary>
    private async Task<string?[]?> ReadRowAsync(string keyText, CancellationToken cancellationToken)
    {
        RowColumn[] columns = _columns!.Values;
        NpgsqlConnection lookup = await LookupAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            $"SELECT {string.Join(", ", columns.Select(column => PostgresTable.Quote(column.Name)))} FROM {_table.Quoted} WHERE {PostgresTable.Quote(_settings.KeyColumn!)} = $1",
            lookup)
        {
            AllResultTypesAreUnknown = true,
            Parameters = { new NpgsqlParameter { Value = keyText, NpgsqlDbType = NpgsqlDbType.Unknown } }, // typed by the server as the key column
        };
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var texts = new string?[columns.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
        }
        return texts;
    }

    /// <summary>
    /// The types of <paramref name="relation"/>'s columns, each domain's resolved to its base type: a snapshot's row
    /// description gives base types, and a row must read the same whichever path brought it.
    /// </summary>
    private async Task<uint[]> BaseTypesAsync(RelationMessage relation, CancellationToken cancellationToken)
    {
        const uint firstUserObject = 16384; // FirstNormalObjectId: built-in types are no domains
        var types = new uint[relation.Columns.Count];
        for (int i = 0; i < types.Length; i++)
        {
            uint type = relation.Columns[i].DataTypeId;
            while (type >= firstUserObject)
            {
                if (!_baseTypes.TryGetValue(type, out uint baseType))
                {
                    await using var find = new NpgsqlCommand("SELECT CASE WHEN typtype = 'd' THEN typbasetype ELSE oid END FROM pg_type WHERE oid = $1",
                        await LookupAsync(cancellationToken))
                    {
                        Parameters = { new NpgsqlParameter { Value = type, NpgsqlDbType = NpgsqlDbType.Oid } },
                    };
                    baseType = await find.ExecuteScalarAsync(cancellationToken) is uint found ? found : type;
                    _baseTypes[type] = baseType;
                }
                if (baseType == type)
                {
                    break;
                }
                type = baseType;
            }
            types[i] = type;
        }
        return types;
    }

    private async Task<NpgsqlConnection> LookupAsync(CancellationToken cancellationToken)
    {
        if (_lookup is null)
        {
            var lookup = new NpgsqlConnection(_settings.ConnectionString);
            await lookup.OpenAsync(cancellationToken);
            _lookup = lookup;
        }
        return _lookup;
    }

    /// <summary>The change a row's key and value texts make; null (logged, counted) if the key or value does not fit the map's types.</summary>
    private MapChange<TKey, TValue>? ToChange(string keyText, IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts)
    {
        if (!TKey.TryParse(keyText, CultureInfo.InvariantCulture, out TKey? key))
        {
            BadRow($"key '{keyText}' is not a {typeof(TKey).Name}");
            return null;
        }
        RowValue<TValue> value = _shape.ValueOf(columns, texts);
        if (value.Refusal is { } why)
        {
            BadRow($"key '{keyText}': {why}");
            return null;
        }
        return value.Removes ? MapChange<TKey, TValue>.Remove(key) : MapChange<TKey, TValue>.Set(key, value.Value);
    }

    private void BadRow(string why)
    {
        _logger.LogError("map {Map}: a row of {Table} is skipped: {Why}", _mapName, _table, why);
        _metrics?.RecordBadLine($"postgres:{_table}");
    }

    private bool Ours(RelationMessage relation) => _table.Is(relation.Namespace, relation.RelationName);
}
