using System.Collections.Concurrent;
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
/// Keeps a map a replica of one PostgreSQL table (a key column, and the columns its <see cref="RowShape{TValue}"/> makes a
/// value of): loads a snapshot, then follows every insert, update and delete through a logical replication slot
/// (<c>pgoutput</c>) from the snapshot's consistent point. The public sources (<see cref="PostgresChangeSource{TKey, TValue}"/>,
/// <see cref="PostgresBlobChangeSource"/>) are this, for one map kind each.
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
/// <para>
/// An update that leaves a large (TOASTed) value column unchanged does not carry it: the row's value columns are then
/// read from the table by key, as they are now (a later change of the row may already show in them; the stream's own
/// changes of it follow, so the map ends at the table's state).
/// </para>
/// </remarks>
internal sealed partial class PostgresReplication<TKey, TValue>
    where TKey : notnull, IEquatable<TKey>, ISpanParsable<TKey>
{
    private readonly string _mapName;
    private readonly PostgresSourceSettings _settings;
    private readonly ShmOptions _mapOptions;
    private readonly IReplicaMap<TKey> _map;
    private readonly RowShape<TValue> _shape;
    private readonly ILogger _logger;
    private readonly ShmMapsMetrics? _metrics;
    private readonly WriterStatus? _status;
    private readonly string _slot;
    private readonly ulong _slotHash;
    private readonly PostgresTable _table;

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

    /// <summary>The base type of each user-defined type (a domain's) met in relation messages.</summary>
    private readonly Dictionary<uint, uint> _baseTypes = [];

    private ReplicaMarker? _marker;
    private ulong _mapIdentity;

    /// <summary>Why the writer could not publish changes (under <see cref="_publishing"/>); from then on nothing is confirmed.</summary>
    private string? _refused;

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
    private ReplicatedColumns? _columns;

    /// <summary>A connection for the catalog and rows read while streaming (opened when first needed, closed with the stream's).</summary>
    private NpgsqlConnection? _lookup;

    /// <summary>Creates the replica of map <paramref name="mapName"/> (whose files live where <paramref name="mapOptions"/> says).</summary>
    public PostgresReplication(string mapName, PostgresSourceSettings settings, ShmOptions mapOptions, IReplicaMap<TKey> map, RowShape<TValue> shape,
        ILogger logger, ShmMapsMetrics? metrics)
    {
        ArgumentException.ThrowIfNullOrEmpty(mapName);
        settings.Validate(mapName);
        _mapName = mapName;
        _settings = settings;
        _mapOptions = mapOptions;
        _map = map;
        _shape = shape;
        _logger = logger;
        _metrics = metrics;
        _status = metrics?.Register(mapName);
        _slot = settings.SlotFor(mapName);
        _slotHash = ReplicaMarker.HashOf(_slot);
        _table = PostgresTable.Parse(settings.Table!);
    }

    /// <summary>The replication slot this source reads.</summary>
    public string Slot => _slot;

    /// <summary>The changes, as <see cref="IChangeSource{TKey, TValue}.ReadAsync"/> hands them to the writer service.</summary>
    public async IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MapChange<TKey, TValue>>(new BoundedChannelOptions(16_384) { SingleReader = true, SingleWriter = true });
        Task receiving = Task.Run(() => ReceiveAsync(channel.Writer, cancellationToken), CancellationToken.None);
        await foreach (MapChange<TKey, TValue> change in channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
        await receiving; // its failure, if it failed
    }

    /// <summary>Every change up to <paramref name="position"/> is published (<see cref="IChangeSource{TKey, TValue}.PublishedAsync"/>).</summary>
    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken)
    {
        lock (_publishing)
        {
            Published(position);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The map refused changes up to <paramref name="position"/>: the slot is confirmed no further from now on (not
    /// even for transactions of no row of ours), and the marker is cleared, so that the next start loads the table anew.
    /// </summary>
    public ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken)
    {
        lock (_publishing)
        {
            _refused ??= reason;
            _marker?.Write(ReplicaState.Unloaded(_slotHash));
        }
        _logger.LogError("map {Map}: changes up to {Position} were not published ({Reason}); slot {Slot} stays at {Published}",
            _mapName, new NpgsqlLogSequenceNumber(position), reason, _slot, new NpgsqlLogSequenceNumber(Volatile.Read(ref _published)));
        return ValueTask.CompletedTask;
    }

    private void Published(ulong position)
    {
        if (_refused is not null)
        {
            return; // a change before this position was refused: nothing past it is confirmed
        }
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
        _mapIdentity = _map.FileIdentity();
        ReplicaState state = _marker.Read();
        bool slotExists = await SlotExistsAsync(sql, cancellationToken);
        if (_following && !slotExists)
        {
            _marker.Write(ReplicaState.Unloaded(_slotHash)); // the next start loads the table again
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
                // Only a slot that is this replica's: one its marker names, or, with a new marker (the map made anew), one
                // of the name this host and map alone derive. A slot named in the settings that the marker does not name
                // may be another replica's: never dropped.
                if (!state.Names(_slotHash) && !(state.IsNew && _settings.Slot is null))
                {
                    throw new ReplicationBrokenException(
                        $"map '{_mapName}': replication slot '{_slot}' exists, but this replica's marker ({ReplicaMarker.NameFor(_mapName)}) does not name it: it may be " +
                        "another replica's. Drop it (SELECT pg_drop_replication_slot('" + _slot + "')) if none uses it, or set another Slot");
                }
                _logger.LogWarning("map {Map}: slot {Slot} exists but the map holds no snapshot of it (a new map file, or one whose load was cut short): loading the table again", _mapName, _slot);
                await replication.DropReplicationSlot(_slot, wait: false, cancellationToken);
            }
            _marker.Write(ReplicaState.Unloaded(_slotHash));
            slot = await replication.CreatePgOutputReplicationSlot(_slot, temporarySlot: false, LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            await LoadSnapshotAsync(sql, slot, changes, cancellationToken);
        }
        await sql.CloseAsync();
        _replication = replication;
        _following = true;
        Connected(true);
        connected();
        var options = new PgOutputReplicationOptions(_settings.PublicationName, PgOutputProtocolVersion.V1);
        try
        {
            await foreach (PgOutputReplicationMessage message in replication.StartReplication(slot, options, cancellationToken))
            {
                _serverEnd = Math.Max(_serverEnd, (ulong)message.WalEnd);
                await HandleAsync(message, changes, cancellationToken);
            }
        }
        finally
        {
            if (_lookup is { } lookup)
            {
                _lookup = null;
                await lookup.DisposeAsync();
            }
        }
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
}
