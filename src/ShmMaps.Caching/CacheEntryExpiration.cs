using Microsoft.Extensions.Caching.Distributed;

namespace ShmMaps.Caching;

/// <summary>How a cache entry's <see cref="DistributedCacheEntryOptions"/> become its <see cref="CacheEntryHeader"/>.</summary>
internal static class CacheEntryExpiration
{
    /// <summary>The header of an entry set at <paramref name="now"/> with <paramref name="options"/>, checked as <c>MemoryDistributedCache</c> checks them.</summary>
    public static CacheEntryHeader HeaderFor(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        long absolute = CacheEntryHeader.Never;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(relative, TimeSpan.Zero, nameof(options.AbsoluteExpirationRelativeToNow));
            absolute = (now + relative).UtcTicks;
        }
        else if (options.AbsoluteExpiration is { } at)
        {
            if (at <= now)
            {
                throw new ArgumentOutOfRangeException(nameof(options.AbsoluteExpiration), at, "The absolute expiration value must be in the future.");
            }
            absolute = at.UtcTicks;
        }
        long sliding = 0;
        if (options.SlidingExpiration is { } window)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero, nameof(options.SlidingExpiration));
            sliding = window.Ticks;
        }
        return CacheEntryHeader.Create(absolute, sliding, now.UtcTicks);
    }
}
