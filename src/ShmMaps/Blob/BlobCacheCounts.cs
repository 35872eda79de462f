namespace ShmMaps;

/// <summary>A shared cache's reads of a <see cref="BlobMap"/>, by every process that ever read it through the cache.</summary>
/// <param name="Hits">Reads that found a live entry.</param>
/// <param name="Misses">Reads that found no entry, or an expired one.</param>
/// <param name="Expirations">Expired entries removed by reads and walks.</param>
public readonly record struct BlobCacheCounts(long Hits, long Misses, long Expirations);
