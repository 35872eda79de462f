namespace ShmMaps.Inspection;

/// <summary>When a shared cache's entry expires, as its <see cref="CacheEntryHeader"/> says.</summary>
/// <param name="ExpiresAt">When it expires (the earlier of its absolute expiration and its last access plus its sliding window).</param>
/// <param name="Absolute">Its absolute expiration; null: none.</param>
/// <param name="Sliding">Its sliding window; null: none.</param>
public sealed record MapEntryExpiry(DateTimeOffset ExpiresAt, DateTimeOffset? Absolute, TimeSpan? Sliding)
{
    /// <summary>The expiry a cache entry's header gives.</summary>
    public static MapEntryExpiry Of(CacheEntryHeader header) => new(
        new DateTimeOffset(Math.Min(header.ExpiresAt, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
        header.Absolute == CacheEntryHeader.Never ? null : new DateTimeOffset(Math.Min(header.Absolute, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
        header.Sliding == 0 ? null : TimeSpan.FromTicks(header.Sliding));

    /// <summary>The header that gives this expiry.</summary>
    public CacheEntryHeader ToHeader() =>
        new(ExpiresAt.UtcTicks, Absolute?.UtcTicks ?? CacheEntryHeader.Never, Sliding?.Ticks ?? 0);
}
