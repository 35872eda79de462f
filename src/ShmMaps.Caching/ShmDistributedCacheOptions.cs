namespace ShmMaps.Caching;

/// <summary>Where a <see cref="ShmDistributedCache"/> keeps its entries: a <see cref="BlobMap"/> every process on the host opens by name.</summary>
public sealed class ShmDistributedCacheOptions
{
    /// <summary>The map's name (every process that names it shares the cache).</summary>
    public string MapName { get; set; } = "cache";

    /// <summary>The map directory (null: <c>$SHMMAPS_DIR</c>, else this user's <c>/dev/shm/shmmaps-UID</c>).</summary>
    public string? Directory { get; set; }

    /// <summary>The entries the map is created for (it grows past them).</summary>
    public long Capacity { get; set; } = 10_000;

    /// <summary>
    /// The byte budget of the map's entries, set on the map when the cache opens it (null: the map's budget is left as
    /// it is, none for a new map; 0: none). It is the map's, for every process: past it, writes evict the entries not read
    /// lately (<see cref="BlobMap.MaxBytes"/>), and an entry larger than it is refused (<see cref="MapFullException"/>).
    /// </summary>
    public long? MaxBytes { get; set; }

    /// <summary>
    /// At least how long this process waits between two walks that remove expired entries no one read (each started by
    /// a cache call, on the thread pool). Every process of the cache walks; any walk removes every expired entry.
    /// </summary>
    public TimeSpan ExpirationScanFrequency { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// With a <c>HybridCache</c> registered beside the cache (<c>AddShmDistributedCache</c>): whether this process's
    /// HybridCache L1 follows the changes other processes make to the map, as they happen: a key another process sets
    /// or removes (<c>RemoveAsync</c>) leaves this process's L1, a tag another process invalidates (<c>RemoveByTagAsync</c>)
    /// is invalidated here. On by default; it makes the map log every write (<see cref="BlobMap.WatchChangesAsync"/>).
    /// </summary>
    public bool InvalidateHybridCache { get; set; } = true;

    internal ShmOptions ToShmOptions() => new() { Directory = Directory };
}
