using System.Buffers.Binary;

namespace ShmMaps;

/// <summary>
/// What an entry of a shared cache (<c>ShmMaps.Caching</c>) starts with, in its <see cref="BlobMap"/> value: when it
/// expires, and the expiration it was set with. Times are UTC ticks. <c>shm</c> reads it to show a cache's entries.
/// </summary>
/// <remarks>
/// <code>
/// [0, 4)   magic "SHMc"      [4, 8)   format (1)
/// [8, 16)  expires at: the earlier of the absolute expiration and the last access plus the sliding window
/// [16, 24) absolute expiration (long.MaxValue: none)
/// [24, 32) sliding window in ticks (0: none)
/// then the payload
/// </code>
/// A value of the map that does not start so (written by another program, or damaged) is not an entry: a miss.
/// </remarks>
/// <param name="ExpiresAt">When the entry expires: the earlier of <paramref name="Absolute"/> and the last access plus <paramref name="Sliding"/>.</param>
/// <param name="Absolute">The absolute expiration (<see cref="Never"/>: none).</param>
/// <param name="Sliding">The sliding window in ticks (0: none).</param>
public readonly record struct CacheEntryHeader(long ExpiresAt, long Absolute, long Sliding)
{
    /// <summary>The header's bytes: the payload follows.</summary>
    public const int Bytes = 32;

    /// <summary>An absolute expiration that never comes.</summary>
    public const long Never = long.MaxValue;

    private const uint Magic = 0x634D4853; // "SHMc", little-endian
    private const uint Format = 1;

    /// <summary>The header of an entry set at <paramref name="now"/> with an <paramref name="absolute"/> expiration and a <paramref name="sliding"/> window.</summary>
    public static CacheEntryHeader Create(long absolute, long sliding, long now) => new(ExpiresAfterAccess(absolute, sliding, now), absolute, sliding);

    /// <summary>The header <paramref name="value"/> starts with; false if it is not an entry's (too short, another format, times that do not agree).</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out CacheEntryHeader header)
    {
        header = default;
        if (value.Length < Bytes || BinaryPrimitives.ReadUInt32LittleEndian(value) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(value[4..]) != Format)
        {
            return false;
        }
        header = new CacheEntryHeader(BinaryPrimitives.ReadInt64LittleEndian(value[8..]), BinaryPrimitives.ReadInt64LittleEndian(value[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[24..]));
        return header.Sliding >= 0 && header.ExpiresAt <= header.Absolute;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> (at least <see cref="Bytes"/> long).</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Format);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], ExpiresAt);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Absolute);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], Sliding);
    }

    /// <summary>Whether the entry has expired at <paramref name="now"/> (UTC ticks).</summary>
    public bool HasExpired(long now) => now >= ExpiresAt;

    /// <summary>The header after an access at <paramref name="now"/>: a sliding entry's expiry moved on (never past its absolute one).</summary>
    public CacheEntryHeader AccessedAt(long now) => this with { ExpiresAt = Math.Max(ExpiresAt, ExpiresAfterAccess(Absolute, Sliding, now)) };

    /// <summary>When an entry accessed at <paramref name="now"/> expires.</summary>
    private static long ExpiresAfterAccess(long absolute, long sliding, long now) =>
        sliding == 0 ? absolute : Math.Min(absolute, sliding > Never - now ? Never : now + sliding);
}
