namespace ShmMaps.Core.Memory;

/// <summary>Times a file holds as Unix milliseconds, read without trusting them.</summary>
internal static class UnixTime
{
    private const long MinMilliseconds = -62_135_596_800_000;
    private const long MaxMilliseconds = 253_402_300_799_999;

    /// <summary>The time <paramref name="milliseconds"/> names, or null if no <see cref="DateTimeOffset"/> can be it (a damaged field).</summary>
    public static DateTimeOffset? FromMilliseconds(long milliseconds) =>
        milliseconds is >= MinMilliseconds and <= MaxMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;

    /// <summary>The time for a message: "2026-11-30 23:01:53Z", or the raw value when it names no time.</summary>
    public static string Describe(long milliseconds) =>
        FromMilliseconds(milliseconds) is { } time ? time.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : $"(no valid time: {milliseconds})";
}
