using System.Text.Json;
using System.Text.Json.Serialization;

namespace ShmMaps.Tool.Output;

/// <summary>JSON output for scripts.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions s_indented = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One-line JSON, also used to read lines back.</summary>
    public static readonly JsonSerializerOptions Compact = new(s_indented) { WriteIndented = false, PropertyNameCaseInsensitive = true };

    public static void Write(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, value.GetType(), s_indented));

    public static string Line(object value) => JsonSerializer.Serialize(value, value.GetType(), Compact);
}
