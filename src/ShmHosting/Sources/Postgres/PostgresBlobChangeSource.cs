namespace ShmMaps.Hosting;

/// <summary>
/// Keeps a <see cref="BlobMap"/> a replica of one PostgreSQL table: each row under its key column's text, as one JSON
/// object of its columns (<see cref="PostgresSourceSettings.Row"/>, <see cref="PostgresSourceSettings.Columns"/>), or as
/// one column's value (<see cref="PostgresSourceSettings.ValueColumn"/> in <see cref="PostgresSourceSettings.ValueFormat"/>).
/// A snapshot, then every insert, update and delete through a logical replication slot, as
/// <see cref="PostgresChangeSource{TKey, TValue}"/> follows a table.
/// </summary>
/// <remarks>
/// A row's JSON is made of each column's text form (numbers and booleans as JSON numbers and booleans, <c>json</c> and
/// <c>jsonb</c> embedded, <c>bytea</c> as base64, timestamps as ISO 8601, NULL as null, the rest as strings), the same
/// whether a snapshot or the stream brought it, so that <see cref="ShmDictionary{TKey, TValue}"/> with a record of the
/// columns reads it typed.
/// </remarks>
public sealed class PostgresBlobChangeSource : IChangeSource<string, byte[]>
{
    private readonly PostgresReplication<string, byte[]> _replication;

    /// <summary>Creates the source of blob map <paramref name="mapName"/> (whose files live where <paramref name="mapOptions"/> says).</summary>
    public PostgresBlobChangeSource(string mapName, PostgresSourceSettings settings, ShmOptions? mapOptions,
        Microsoft.Extensions.Logging.ILogger<PostgresBlobChangeSource> logger, ShmMapsMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ShmOptions options = mapOptions ?? new ShmOptions();
        RowShape<byte[]> shape = settings.Row ? new RowObjectShape(settings.Columns) : new BlobColumnShape(settings.ValueColumn!, settings.ValueFormat);
        _replication = new PostgresReplication<string, byte[]>(mapName, settings, options, new BlobReplicaMap(mapName, options), shape, logger, metrics);
    }

    /// <summary>The replication slot this source reads.</summary>
    public string Slot => _replication.Slot;

    /// <inheritdoc/>
    public IAsyncEnumerable<MapChange<string, byte[]>> ReadAsync(CancellationToken cancellationToken) => _replication.ReadAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken) => _replication.PublishedAsync(position, cancellationToken);

    /// <inheritdoc/>
    public ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken) =>
        _replication.NotPublishedAsync(position, reason, cancellationToken);
}
