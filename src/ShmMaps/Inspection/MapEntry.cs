namespace ShmMaps.Inspection;

/// <summary>One entry of a map, decoded from the type names in its header (hex for types it does not know).</summary>
/// <param name="Index">The cell or element index.</param>
/// <param name="Key">The key as text, or null for kinds without keys.</param>
/// <param name="Value">The value as text.</param>
public sealed record MapEntry(long Index, string? Key, string Value);
