namespace ShmMaps.Hosting;

/// <summary>Where a writer service gets its changes: a feed, a file, a database's change stream.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IChangeSource<TKey, TValue>
{
    /// <summary>
    /// The changes, in order, as they come. The sequence may end (a file read once) or run until
    /// <paramref name="cancellationToken"/> is cancelled (a followed file), which ends it without an error.
    /// </summary>
    IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called by the writer service once every change up to one of <see cref="MapChange{TKey, TValue}.Position"/>
    /// <paramref name="position"/> is published (readers see it): a source that resumes from a position may confirm it
    /// now, and never earlier.
    /// </summary>
    ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Called by the writer service when changes up to <paramref name="position"/> could not all be published (the map
    /// refused them: <paramref name="reason"/>); the service stops after. A source that resumes from a position must
    /// confirm neither it nor any after it, and start over on its next start.
    /// </summary>
    ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
