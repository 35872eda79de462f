using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ShmMaps.Hosting;

/// <summary>
/// Reads one line of a change file. Blank lines and lines starting with <c>#</c> are skipped; anything that does not
/// parse is an error in words (the caller logs it with the line number and goes on).
/// </summary>
internal static class ChangeLine
{
    public static bool TryParse<TKey, TValue>(ReadOnlySpan<char> line, LineFormat format, out MapChange<TKey, TValue> change, out string? error)
        where TKey : ISpanParsable<TKey>
        where TValue : ISpanParsable<TValue>
    {
        change = default;
        error = null;
        line = line.Trim();
        if (line.IsEmpty || line[0] == '#')
        {
            return false;
        }
        return format == LineFormat.JsonLines ? TryParseJson(line, out change, out error) : TryParseCsv(line, out change, out error);
    }

    private static bool TryParseCsv<TKey, TValue>(ReadOnlySpan<char> line, out MapChange<TKey, TValue> change, out string? error)
        where TKey : ISpanParsable<TKey>
        where TValue : ISpanParsable<TValue>
    {
        change = default;
        int comma = line.IndexOf(',');
        if (comma < 0)
        {
            error = "expected key,value (or key, to remove)";
            return false;
        }
        if (!TKey.TryParse(line[..comma].Trim(), CultureInfo.InvariantCulture, out TKey? key))
        {
            error = KeyError<TKey>(line[..comma].Trim());
            return false;
        }
        ReadOnlySpan<char> text = line[(comma + 1)..].Trim();
        if (text.IsEmpty)
        {
            change = MapChange<TKey, TValue>.Remove(key);
            error = null;
            return true;
        }
        if (!TValue.TryParse(text, CultureInfo.InvariantCulture, out TValue? value))
        {
            error = $"'{text}' is not a {typeof(TValue).Name} value";
            return false;
        }
        change = MapChange<TKey, TValue>.Set(key, value);
        error = null;
        return true;
    }

    private static bool TryParseJson<TKey, TValue>(ReadOnlySpan<char> line, out MapChange<TKey, TValue> change, out string? error)
        where TKey : ISpanParsable<TKey>
        where TValue : ISpanParsable<TValue>
    {
        change = default;
        try
        {
            using JsonDocument document = JsonDocument.Parse(line.ToString());
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("key", out JsonElement keyElement))
            {
                error = "expected an object with a \"key\"";
                return false;
            }
            if (!TKey.TryParse(Text(keyElement), CultureInfo.InvariantCulture, out TKey? key))
            {
                error = keyElement.ValueKind == JsonValueKind.String ? KeyError<TKey>(Text(keyElement)) : $"{keyElement.GetRawText()} is not a {typeof(TKey).Name} key";
                return false;
            }
            if (root.TryGetProperty("remove", out JsonElement remove) && remove.ValueKind == JsonValueKind.True)
            {
                change = MapChange<TKey, TValue>.Remove(key);
                error = null;
                return true;
            }
            if (!root.TryGetProperty("value", out JsonElement valueElement) || !TValue.TryParse(Text(valueElement), CultureInfo.InvariantCulture, out TValue? value))
            {
                error = $"expected a {typeof(TValue).Name} \"value\" (or \"remove\": true)";
                return false;
            }
            change = MapChange<TKey, TValue>.Set(key, value);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }
    }

    /// <summary>Why <paramref name="text"/> is no key: too long for a string key, or not a key of the type at all.</summary>
    private static string KeyError<TKey>(ReadOnlySpan<char> text) =>
        typeof(TKey) == typeof(FixedString32)
            ? $"key '{text}' is {Encoding.UTF8.GetByteCount(text)} UTF-8 bytes; a string key holds at most {FixedString32.MaxBytes}"
            : $"'{text}' is not a {typeof(TKey).Name} key";

    private static string Text(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
}
