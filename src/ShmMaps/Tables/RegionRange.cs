namespace ShmMaps.Tables;

/// <summary>Bytes <c>[Start, Start + Length)</c> of region <see cref="Region"/> of a map's file.</summary>
internal readonly record struct RegionRange(int Region, long Start, long Length);
