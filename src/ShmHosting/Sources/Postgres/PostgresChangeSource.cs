using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace ShmMaps.Hosting;

/// <summary>
/// Keeps a map a replica of one PostgreSQL table (a key column and a value column): loads a snapshot, then follows every
/// insert, update and delete through a logical replication slot (<c>pgoutput</c>) from the snapshot's consistent point.
/// </summary>
/// <remarks>
/// <para>
/// Each transaction's changes are handed to the writer service together, the last one carrying the transaction's end
/// LSN; the slot is confirmed up to a position only after the writer published it (<see cref="PublishedAsync"/>). A
/// sidecar killed at any instant therefore resumes from a position whose changes readers already see, and the
/// transactions the server sends again are passed over (their end is at or before the last published position, kept in
/// <see cref="ReplicaMarker"/> beside the map).
/// </para>
/// <para>
/// A snapshot is taken when the map holds none of this slot (first start, a map file made again, a host rebooted, a
/// slot dropped while the sidecar was down): the slot is created anew with an exported snapshot, the table is read in
/// it, keys the map has and the table has not are removed, and the marker records the snapshot once it is published.
/// A dropped connection (the server restarting included) is reconnected with backoff. A slot dropped while streaming,
/// a table whose columns no longer map, or a TRUNCATE end the source with <see cref="ReplicationBrokenException"/>
/// (after a TRUNCATE, the next start loads the table again).
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type: <see cref="long"/> for an integer column, <see cref="FixedString32"/> for text.</typeparam>
/// <typeparam name="TValue">The value type: <see cref="long"/> or <see cref="double"/>.</typeparam>
public sealed class PostgresChangeSource<TKey, TValue> : IChangeSource<TKey, TValue>
    where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
    where TValue : unmanaged, ISpanParsable<TValue>
{
    private readonly string _mapName;
    private readonly PostgresSourceSettings _settings;
    private readonly ShmOptions _mapOptions;
    private readonly ILogger _logger;
    private readonly ShmMapsMetrics? _metrics;
    private readonly WriterStatus? _status;
    private readonly string _slot;
    private readonly ulong _slotHash;
    private readonly TableName _table;

    /// <summary>The changes of the transaction being received, handed on at its commit.</summary>
    private readonly List<MapChange<TKey, TValue>> _transaction = [];

    /// <summary>Transactions handed on and not yet published: their end and commit time, for the lag.</summary>
    private readonly ConcurrentQueue<(ulong End, DateTimeOffset Commit)> _unpublished = new();

    /// <summary>Serializes <see cref="PublishedAsync"/> (the writer's loop, and the receiving loop for transactions of no row of ours).</summary>
    private readonly Lock _publishing = new();

    /// <summary>
    /// Keys handed on by snapshot loads of this process not yet known published (a load cut short by a dropped connection
    /// leaves some in the writer's queue): the next load removes those the table no longer has, as it does the map's.
    /// </summary>
    private readonly HashSet<TKey> _snapshotKeys = [];

    private ReplicaMarker? _marker;
    private ulong _mapIdentity;

    /// <summary>The end of the last transaction handed to the writer (the receiving loop's alone).</summary>
    private ulong _handedOn;

    /// <summary>The last position published (Interlocked: written by the writer's loop, read by the receiving loop).</summary>
    private ulong _published;

    /// <summary>The consistent point of a snapshot handed on but not yet published whole; 0 when none.</summary>
    private ulong _snapshotEnd;

    /// <summary>The server's write-ahead log end, as its last message said.</summary>
    private ulong _serverEnd;

    /// <summary>When the connection dropped, while it is down (under <see cref="_publishing"/>).</summary>
    private DateTimeOffset? _disconnectedSince;

    /// <summary>Whether this source has streamed from its slot (a slot missing after that was dropped under it).</summary>
    private bool _following;
    private volatile LogicalReplicationConnection? _replication;
    private Columns? _columns;

    /// <summary>Creates the source of map <paramref name="mapName"/> (whose files live where <paramref name="mapOptions"/> says).</summary>
    public PostgresChangeSource(string mapName, PostgresSourceSettings settings, ShmOptions? mapOptions, ILogger<PostgresChangeSource<TKey, TValue>> logger,
        ShmMapsMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(mapName);
        settings.Validate(mapName);
        if (typeof(TKey) != typeof(long) && typeof(TKey) != typeof(FixedString32))
        {
            throw new ArgumentException($"a PostgreSQL replica's key is long or FixedString32, not {typeof(TKey).Name}");
        }
        if (typeof(TValue) != typeof(long) && typeof(TValue) != typeof(double))
        {
            throw new ArgumentException($"a PostgreSQL replica's value is long or double, not {typeof(TValue).Name}");
        }
        _mapName = mapName;
        _settings = settings;
        _mapOptions = mapOptions ?? new ShmOptions();
        _logger = logger;
        _metrics = metrics;
        _status = metrics?.Register(mapName);
        _slot = settings.SlotFor(mapName);
        _slotHash = ReplicaMarker.HashOf(_slot);
        _table = TableName.Parse(settings.Table!);
    }

    /// <summary>The replication slot this source reads.</summary>
    public string Slot => _slot;

    /// <inheritdoc/>
    public IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync(CancellationToken cancellationToken) => ReadChangesAsync(cancellationToken);

    private async IAsyncEnumerable<MapChange<TKey, TValue>> ReadChangesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MapChange<TKey, TValue>>(new BoundedChannelOptions(16_384) { SingleReader = true, SingleWriter = true });
        Task receiving = Task.Run(() => ReceiveAsync(channel.Writer, cancellationToken), CancellationToken.None);
        await foreach (MapChange<TKey, TValue> change in channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
        await receiving; // its failure, if it failed
    }

    /// <inheritdoc/>
    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken)
    {
        lock (_publishing)
        {
            Published(position);
        }
        return ValueTask.CompletedTask;
    }

    private void Published(ulong position)
    {
        ulong published = InterlockedMax(ref _published, position);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        while (_unpublished.TryPeek(out (ulong End, DateTimeOffset Commit) transaction) && transaction.End <= published)
        {
            _unpublished.TryDequeue(out _);
            _metrics?.RecordReplicationLag(_mapName, now - transaction.Commit);
        }
        if (_marker is { } marker)
        {
            ulong snapshotEnd = Volatile.Read(ref _snapshotEnd);
            if (snapshotEnd != 0 && published >= snapshotEnd)
            {
                Volatile.Write(ref _snapshotEnd, 0);
                _logger.LogInformation("map {Map}: the snapshot of {Table} is published; following slot {Slot}", _mapName, _table, _slot);
            }
            if (Volatile.Read(ref _snapshotEnd) == 0)
            {
                marker.Write(new ReplicaState(_mapIdentity, _slotHash, published));
            }
        }
        _replication?.SetReplicationStatus(new NpgsqlLogSequenceNumber(published));
        ReportLag();
    }

    /// <summary>Connects, and reconnects with backoff, until cancelled or broken; completes the channel when it ends.</summary>
    private async Task ReceiveAsync(ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        TimeSpan delay = _settings.ReconnectDelay;
        try
        {
            while (true)
            {
                try
                {
                    await ReplicateAsync(changes, () => delay = _settings.ReconnectDelay, cancellationToken);
                    return;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
                {
                    _replication = null;
                    _transaction.Clear();
                    Connected(false);
                    _logger.LogWarning("map {Map}: replication of {Table} interrupted ({Reason}); reconnecting in {Delay} ms",
                        _mapName, _table, e.Message, (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxReconnectDelay.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _replication = null;
            changes.TryComplete();
        }
    }

    /// <summary>One connection: a snapshot if the map needs one, then the stream, until cancelled or the connection fails.</summary>
    private async Task ReplicateAsync(ChannelWriter<MapChange<TKey, TValue>> changes, Action connected, CancellationToken cancellationToken)
    {
        await using var replication = new LogicalReplicationConnection(_settings.ConnectionString!)
        {
            WalReceiverStatusInterval = TimeSpan.FromSeconds(1),
        };
        await replication.Open(cancellationToken);
        await using var sql = new NpgsqlConnection(_settings.ConnectionString);
        await sql.OpenAsync(cancellationToken);
        await CheckTableAsync(sql, cancellationToken);
        await EnsurePublicationAsync(sql, cancellationToken);
        _marker ??= ReplicaMarker.Open(_mapName, _mapOptions);
        using (LeftRightReader<TKey, TValue> map = LeftRightMap.OpenReader<TKey, TValue>(_mapName, _mapOptions))
        {
            _mapIdentity = map.FileIdentity;
        }
        ReplicaState state = _marker.Read();
        bool slotExists = await SlotExistsAsync(sql, cancellationToken);
        if (_following && !slotExists)
        {
            _marker.Write(default); // the next start loads the table again
            throw new ReplicationBrokenException(
                $"map '{_mapName}': replication slot '{_slot}' was dropped while the replica followed it; changes since are lost to it. " +
                "The sidecar's next start loads the table again into a new slot");
        }
        PgOutputReplicationSlot slot;
        if (state.Follows(_mapIdentity, _slotHash) && slotExists)
        {
            slot = new PgOutputReplicationSlot(_slot);
            _handedOn = Math.Max(_handedOn, state.Published);
            InterlockedMax(ref _published, state.Published);
            _logger.LogInformation("map {Map}: resuming slot {Slot} after {Position}", _mapName, _slot, new NpgsqlLogSequenceNumber(_handedOn));
        }
        else
        {
            if (slotExists)
            {
                _logger.LogWarning("map {Map}: slot {Slot} exists but the map holds no snapshot of it (a new map file, or one whose load was cut short): loading the table again", _mapName, _slot);
                await replication.DropReplicationSlot(_slot, wait: false, cancellationToken);
            }
            _marker.Write(default);
            slot = await replication.CreatePgOutputReplicationSlot(_slot, temporarySlot: false, LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            await LoadSnapshotAsync(sql, slot, changes, cancellationToken);
        }
        await sql.CloseAsync();
        _replication = replication;
        _following = true;
        Connected(true);
        connected();
        var options = new PgOutputReplicationOptions(_settings.PublicationName, PgOutputProtocolVersion.V1);
        await foreach (PgOutputReplicationMessage message in replication.StartReplication(slot, options, cancellationToken))
        {
            _serverEnd = Math.Max(_serverEnd, (ulong)message.WalEnd);
            await HandleAsync(message, changes, cancellationToken);
        }
    }

    /// <summary>Reads the table in the slot's exported snapshot; the last change handed on carries the slot's consistent point.</summary>
    private async Task LoadSnapshotAsync(NpgsqlConnection sql, PgOutputReplicationSlot slot, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        ulong consistentPoint = (ulong)slot.ConsistentPoint;
        HashSet<TKey> stale = MapKeys();
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
            await using var select = new NpgsqlCommand($"SELECT {Quote(_settings.KeyColumn!)}::text, {Quote(_settings.ValueColumn!)}::text FROM {_table.Quoted}", sql, transaction);
            await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows++;
                string? valueText = reader.IsDBNull(1) ? null : reader.GetString(1);
                if (reader.IsDBNull(0) || ToChange(reader.GetString(0), valueText) is not { } change)
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

    private async Task HandleAsync(PgOutputReplicationMessage message, ChannelWriter<MapChange<TKey, TValue>> changes, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case BeginMessage:
                _transaction.Clear();
                break;
            case RelationMessage relation when Ours(relation):
                _columns = Columns.Of(relation, _settings, _table);
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
                _marker?.Write(default); // the next start loads the table again
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
        Columns columns = _columns ?? throw new ReplicationBrokenException($"map '{_mapName}': a row of {_table} came before its relation");
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

    /// <summary>Every key the map's readers see now.</summary>
    private HashSet<TKey> MapKeys()
    {
        using LeftRightReader<TKey, TValue> map = LeftRightMap.OpenReader<TKey, TValue>(_mapName, _mapOptions);
        using ReadGuard<TKey, TValue> guard = map.Guard();
        var keys = new HashSet<TKey>();
        foreach (KeyValuePair<TKey, TValue> entry in guard)
        {
            keys.Add(entry.Key);
        }
        return keys;
    }

    /// <summary>That the table and both columns exist (else <see cref="ReplicationBrokenException"/>).</summary>
    private async Task CheckTableAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new NpgsqlCommand(
                $"SELECT {Quote(_settings.KeyColumn!)}, {Quote(_settings.ValueColumn!)} FROM {_table.Quoted} LIMIT 0", sql);
            await probe.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            throw new ReplicationBrokenException($"map '{_mapName}': {e.MessageText} (table {_table}, key column '{_settings.KeyColumn}', value column '{_settings.ValueColumn}')", e);
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
        string? ddl = publications == 0 ? $"CREATE PUBLICATION {Quote(publication)} FOR TABLE {_table.Quoted}"
            : tables == 0 ? $"ALTER PUBLICATION {Quote(publication)} ADD TABLE {_table.Quoted}" : null;
        if (ddl is not null)
        {
            await using var create = new NpgsqlCommand(ddl, sql);
            await create.ExecuteNonQueryAsync(cancellationToken);
            _logger.LogInformation("map {Map}: {Statement}", _mapName, ddl);
        }
    }

    private async Task<bool> SlotExistsAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = @s", sql);
        find.Parameters.AddWithValue("s", _slot);
        return (long)(await find.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>Records that the connection is up, or has dropped (since the first drop), for the lag.</summary>
    private void Connected(bool up)
    {
        lock (_publishing)
        {
            _disconnectedSince = up ? null : _disconnectedSince ?? DateTimeOffset.UtcNow;
            ReportLag();
        }
    }

    /// <summary>Tells the writer's status how far behind the server readers are (under <see cref="_publishing"/>).</summary>
    private void ReportLag()
    {
        DateTimeOffset? behind = _disconnectedSince;
        if (_unpublished.TryPeek(out (ulong End, DateTimeOffset Commit) oldest) && (behind is null || oldest.Commit < behind))
        {
            behind = oldest.Commit;
        }
        ulong published = Interlocked.Read(ref _published);
        _status?.Replica(behind, _serverEnd > published ? (long)(_serverEnd - published) : 0);
    }

    /// <summary>Whether a failure is one a reconnection may cure (the connection, the server restarting, a slot still held by a dead sidecar's session).</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        ReplicationBrokenException => false,
        PostgresException postgres when postgres.SqlState == PostgresErrorCodes.UndefinedObject => false, // the slot was dropped
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.DuplicateObject,
        NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException or EndOfStreamException => true,
        _ => false,
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static ulong InterlockedMax(ref ulong location, ulong value)
    {
        ulong current = Interlocked.Read(ref location);
        while (value > current)
        {
            ulong seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return value;
            }
            current = seen;
        }
        return current;
    }

    /// <summary>A schema-qualified table name.</summary>
    private sealed record TableName(string Schema, string Name)
    {
        public string Quoted => $"{Quote(Schema)}.{Quote(Name)}";

        public static TableName Parse(string table)
        {
            int dot = table.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? new TableName("public", table) : new TableName(table[..dot], table[(dot + 1)..]);
        }

        public bool Is(string schema, string name) => schema == Schema && name == Name;

        public override string ToString() => $"{Schema}.{Name}";
    }

    /// <summary>Where the key and value columns sit in the table's rows, as its relation message says.</summary>
    private sealed record Columns(int Key, int Value)
    {
        public static Columns Of(RelationMessage relation, PostgresSourceSettings settings, TableName table)
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
            return new Columns(key, value);
        }
    }
}
