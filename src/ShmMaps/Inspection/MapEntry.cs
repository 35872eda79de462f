using System.Text.Json.Serialization;

namespace ShmMaps.Inspection;

/// <summary>One entry of a map, decoded from the type names in its header (hex for types it does not know).</summary>
/// <param name="Index">The cell or element index.</param>
/// <param name="Key">The key as text, or null for kinds without keys.</param>
/// <param name="Value">The value as text (a shared cache's entry: its payload, the expiry in <see cref="Expiry"/>).</param>
public sealed record MapEntry(long Index, string? Key, string Value)
{
    /// <summary>When a shared cache's entry expires; null for any other value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MapEntryExpiry? Expiry { get; init; }
}
