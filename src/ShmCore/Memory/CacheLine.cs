namespace ShmMaps.Core.Memory;

/// <summary>The padding unit for anything written by different processes.</summary>
internal static class CacheLine
{
    /// <summary>
    /// 128 bytes: a cache line on ARM64 server parts and a pair of adjacent-line-prefetched lines on x64.
    /// File layouts use this one constant on every architecture, so a file's offsets do not depend on
    /// where it was created.
    /// </summary>
    public const int Size = 128;
}
