using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;

namespace ShmMaps.Hosting;

/// <summary>How a <see cref="PostgresChangeSource{TKey, TValue}"/> turns the <c>pgoutput</c> stream into the map's changes, a transaction at a time.</summary>
public sealed partial class PostgresChangeSource<TKey, TValue>
{
    private async Task HandleAsync(PgOutputReplicationMessage message, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case BeginMessage:
                _transaction.Clear();
                break;
            case RelationMessage relation when Ours(relation):
                _columns = ReplicatedColumns.Of(relation, _settings, _table);
                break;
            case InsertMessage insert when Ours(insert.Relation):
                await AddRowAsync(insert.NewRow, cancellationToken);
                break;
            case UpdateMessage update when Ours(update.Relation):
                TKey? oldKey = update switch
                {
                    IndexUpdateMessage index => await ReadKeyAsync(index.Key, cancellationToken),
                    FullUpdateMessage full => await ReadKeyAsync(full.OldRow, cancellationToken),
                    _ => null,
                };
                TKey? newKey = await AddRowAsync(update.NewRow, cancellationToken);
                if (oldKey is { } old && (newKey is not { } key || !old.Equals(key)))
                {
                    _transaction.Insert(_transaction.Count - (newKey is null ? 0 : 1), MapChange<TKey, TValue>.Remove(old));
                }
                break;
            case DeleteMessage delete when Ours(delete.Relation):
                TKey? deleted = delete switch
                {
                    KeyDeleteMessage byKey => await ReadKeyAsync(byKey.Key, cancellationToken),
                    FullDeleteMessage full => await ReadKeyAsync(full.OldRow, cancellationToken),
                    _ => null,
                };
                if (deleted is { } gone)
                {
                    _transaction.Add(MapChange<TKey, TValue>.Remove(gone));
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

    /// <summary>Reads a new row: its key and value become a set (a NULL value, a removal); the key, or null if unreadable.</summary>
    private async Task<TKey?> AddRowAsync(ReplicationTuple row, CancellationToken cancellationToken)
    {
        (string? keyText, string? valueText) = await ReadColumnsAsync(row, cancellationToken);
        if (keyText is null || ToChange(keyText, valueText) is not { } change)
        {
            return null;
        }
        _transaction.Add(change);
        return change.Key;
    }

    private async Task<TKey?> ReadKeyAsync(ReplicationTuple? row, CancellationToken cancellationToken)
    {
        if (row is null)
        {
            return null;
        }
        (string? keyText, _) = await ReadColumnsAsync(row, cancellationToken);
        return keyText is not null && TKey.TryParse(keyText, CultureInfo.InvariantCulture, out TKey key) ? key : null;
    }

    /// <summary>The key and value columns' text of a row (every column is read, in order, as the protocol requires).</summary>
    private async Task<(string? Key, string? Value)> ReadColumnsAsync(ReplicationTuple row, CancellationToken cancellationToken)
    {
        ReplicatedColumns columns = _columns ?? throw new ReplicationBrokenException($"map '{_mapName}': a row of {_table} came before its relation");
        string? key = null;
        string? value = null;
        int index = 0;
        await foreach (ReplicationValue column in row.WithCancellation(cancellationToken))
        {
            if ((index == columns.Key || index == columns.Value) && !column.IsDBNull && column.Kind != TupleDataKind.UnchangedToastedValue)
            {
                string text = await column.Get<string>(cancellationToken);
                if (index == columns.Key)
                {
                    key = text;
                }
                else
                {
                    value = text;
                }
            }
            index++;
        }
        return (key, value);
    }

    /// <summary>The change a row's key and value text make; null (logged, counted) if the key or value does not fit the map's types.</summary>
    private MapChange<TKey, TValue>? ToChange(string keyText, string? valueText)
    {
        if (!TKey.TryParse(keyText, CultureInfo.InvariantCulture, out TKey key))
        {
            BadRow($"key '{keyText}' is not a {typeof(TKey).Name}");
            return null;
        }
        if (valueText is null)
        {
            return MapChange<TKey, TValue>.Remove(key);
        }
        if (!TValue.TryParse(valueText, CultureInfo.InvariantCulture, out TValue value))
        {
            BadRow($"value '{valueText}' of key '{keyText}' is not a {typeof(TValue).Name}");
            return null;
        }
        return MapChange<TKey, TValue>.Set(key, value);
    }

    private void BadRow(string why)
    {
        _logger.LogError("map {Map}: a row of {Table} is skipped: {Why}", _mapName, _table, why);
        _metrics?.RecordBadLine($"postgres:{_table}");
    }

    private bool Ours(RelationMessage relation) => _table.Is(relation.Namespace, relation.RelationName);
}
