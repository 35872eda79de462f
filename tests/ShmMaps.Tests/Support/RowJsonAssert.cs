using System.Text.Json;

namespace ShmMaps.Tests.Support;

/// <summary>Compares a replica's JSON of a row with the server's own (<c>row_to_json</c>), which writes a few types its own way.</summary>
public static class RowJsonAssert
{
    /// <summary>The difference between the server's object and ours ("" when none): every column, by name, with the same value.</summary>
    public static string Difference(JsonElement server, JsonElement ours)
    {
        if (server.EnumerateObject().Count() != ours.EnumerateObject().Count())
        {
            return $"the server's row has {server.EnumerateObject().Count()} columns, ours {ours.EnumerateObject().Count()}: {ours}";
        }
        foreach (JsonProperty expected in server.EnumerateObject())
        {
            if (!ours.TryGetProperty(expected.Name, out JsonElement actual))
            {
                return $"column {expected.Name} is missing from {ours}";
            }
            if (!Same(expected.Value, actual))
            {
                return $"{expected.Name}: the server says {expected.Value}, the replica {actual}";
            }
        }
        return "";
    }

    private static bool Same(JsonElement server, JsonElement ours)
    {
        if (server.ValueKind == JsonValueKind.String && ours.ValueKind == JsonValueKind.String)
        {
            string text = server.GetString()!;
            if (text.StartsWith(@"\x", StringComparison.Ordinal))
            {
                return Convert.FromHexString(text.AsSpan(2)).AsSpan().SequenceEqual(ours.GetBytesFromBase64()); // bytea: \x hex there, base64 here
            }
            if (server.TryGetDateTimeOffset(out DateTimeOffset moment) && ours.TryGetDateTimeOffset(out DateTimeOffset ourMoment))
            {
                return moment == ourMoment; // the same instant, whatever the offset written
            }
        }
        return JsonElement.DeepEquals(server, ours);
    }
}
