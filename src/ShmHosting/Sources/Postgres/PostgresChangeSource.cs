namespace ShmMaps.Hosting;

/// <summary>
/// Keeps a <see cref="LeftRightMap"/> a replica of one PostgreSQL table's key column and numeric value column: loads a
/// snapshot, then follows every insert, update and delete through a logical replication slot (<c>pgoutput</c>) from the
/// snapshot's consistent point; the slot is confirmed only as far as the writer service published. See
/// <see cref="PostgresSourceSettings"/> for the settings, and <c>docs/sidecar.md</c> for what survives which failure.
/// </summary>
/// <typeparam name="TKey">The key type: <see cref="long"/> for an integer column, <see cref="FixedString32"/> for text.</typeparam>
/// <typeparam name="TValue">The value type: <see cref="long"/> or <see cref="double"/>.</typeparam>
public sealed class PostgresChangeSource<TKey, TValue> : IChangeSource<TKey, TValue>
    where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
    where TValue : unmanaged, ISpanParsable<TValue>
{
    private readonly PostgresReplication<TKey, TValue> _replication;

    /// <summary>Creates the source of map <paramref name="mapName"/> (whose files live where <paramref name="mapOptions"/> says).</summary>
    public PostgresChangeSource(string mapName, PostgresSourceSettings settings, ShmOptions? mapOptions,
        Microsoft.Extensions.Logging.ILogger<PostgresChangeSource<TKey, TValue>> logger, ShmMapsMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (typeof(TKey) != typeof(long) && typeof(TKey) != typeof(FixedString32))
        {
            throw new ArgumentException($"a PostgreSQL replica's key is long or FixedString32, not {typeof(TKey).Name}");
        }
        if (typeof(TValue) != typeof(long) && typeof(TValue) != typeof(double))
        {
            throw new ArgumentException($"a PostgreSQL replica's value is long or double, not {typeof(TValue).Name}");
        }
        if (settings.Row)
        {
            throw new ArgumentException($"map '{mapName}': a replica of whole rows (Row) is a BlobMap's: use PostgresBlobChangeSource (AddPostgresBlobReplica)");
        }
        ShmOptions options = mapOptions ?? new ShmOptions();
        _replication = new PostgresReplication<TKey, TValue>(mapName, settings, options, new LeftRightReplicaMap<TKey, TValue>(mapName, options),
            new ParsedColumnShape<TValue>(settings.ValueColumn!), logger, metrics);
    }

    /// <summary>The replication slot this source reads.</summary>
    public string Slot => _replication.Slot;

    /// <inheritdoc/>
    public IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync(CancellationToken cancellationToken) => _replication.ReadAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken) => _replication.PublishedAsync(position, cancellationToken);

    /// <inheritdoc/>
    public ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken) =>
        _replication.NotPublishedAsync(position, reason, cancellationToken);
}
