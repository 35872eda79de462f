using Microsoft.Extensions.Caching.Hybrid;

namespace ShmMaps.Caching;

/// <summary>
/// Keeps this process's <see cref="HybridCache"/> L1 true to the shared map: it follows the map's changes
/// (<see cref="BlobMap.WatchChangesAsync"/>) and, for each one another process made, removes the key from the local
/// cache (a key set again or removed), applies a tag's invalidation (HybridCache's tag keys), or invalidates every local
/// entry (changes missed). Each is a call to HybridCache whose writes to the shared map are passed over (<see cref="LocalOnly"/>):
/// the change is already there.
/// </summary>
internal sealed class HybridCacheInvalidation : IDisposable
{
    /// <summary>The key prefix under which HybridCache keeps a tag's invalidation time in its L2.</summary>
    public const string TagKeyPrefix = "__MSFT_HCT__";

    /// <summary>HybridCache's tag for every entry.</summary>
    private const string EveryEntry = "*";

    private static readonly AsyncLocal<bool> s_localOnly = new();

    private readonly BlobMap _map;
    private readonly Func<HybridCache?> _hybrid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    /// <param name="map">The cache's map.</param>
    /// <param name="hybrid">This process's HybridCache, resolved at the first change (it is made after the cache it uses).</param>
    public HybridCacheInvalidation(BlobMap map, Func<HybridCache?> hybrid)
    {
        _map = map;
        _hybrid = hybrid;
        _following = Task.Run(FollowAsync);
    }

    /// <summary>Whether the calling flow is applying another process's change to HybridCache: the cache writes nothing to the map.</summary>
    public static bool LocalOnly => s_localOnly.Value;

    /// <summary>Stops following (before the map is closed).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _following.ContinueWith(static _ => { }, TaskScheduler.Default).Wait(); // its end, not its outcome
        _stop.Dispose();
    }

    private async Task FollowAsync()
    {
        int me = Environment.ProcessId;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (BlobChange change in _map.WatchChangesAsync(_stop.Token).ConfigureAwait(false))
                {
                    if (change.ProcessId != me || change.Kind == BlobChangeKind.Missed)
                    {
                        await ApplyAsync(change).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // A damaged map or a failed HybridCache call: every local entry may be stale. Start again a moment later.
                await InvalidateEveryEntryAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask ApplyAsync(BlobChange change)
    {
        HybridCache? hybrid = _hybrid();
        if (hybrid is null)
        {
            return;
        }
        s_localOnly.Value = true;
        try
        {
            switch (change)
            {
                case { Kind: BlobChangeKind.Missed } or { Key: null }:
                    await hybrid.RemoveByTagAsync(EveryEntry).ConfigureAwait(false);
                    break;
                case { Kind: BlobChangeKind.Evicted }:
                    break; // gone from the shared map for room, not changed: a local copy is still the value
                case { Key: { } tagKey } when tagKey.StartsWith(TagKeyPrefix, StringComparison.Ordinal):
                    await hybrid.RemoveByTagAsync(tagKey[TagKeyPrefix.Length..]).ConfigureAwait(false);
                    break;
                case { Key: { } key }:
                    await hybrid.RemoveAsync(key).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            s_localOnly.Value = false;
        }
    }

    private async ValueTask InvalidateEveryEntryAsync()
    {
        try
        {
            await ApplyAsync(new BlobChange(BlobChangeKind.Missed, null, 0, 0)).ConfigureAwait(false);
        }
        catch (Exception) when (!_stop.IsCancellationRequested)
        {
            // HybridCache refused too: the next change tries again.
        }
    }
}
