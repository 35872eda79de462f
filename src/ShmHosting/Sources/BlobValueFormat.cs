using System.Text;
using System.Text.Json;

namespace ShmMaps.Hosting;

/// <summary>How a change file's value text becomes a <see cref="BlobMap"/> value's bytes.</summary>
public enum BlobValueFormat
{
    /// <summary>The text as UTF-8.</summary>
    String,

    /// <summary>JSON (a JSON lines file's value may be any JSON: an object is stored as its text), checked to parse, as UTF-8.</summary>
    Json,

    /// <summary>Base64 text, stored as the bytes it encodes.</summary>
    Bytes,
}

/// <summary>The conversions of <see cref="BlobValueFormat"/>.</summary>
public static class BlobValueFormats
{
    /// <summary>The bytes <paramref name="text"/> stands for in <paramref name="format"/>; <see cref="FormatException"/> naming what is wrong.</summary>
    public static byte[] ToBytes(string text, BlobValueFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (format)
        {
            case BlobValueFormat.String:
                return Encoding.UTF8.GetBytes(text);
            case BlobValueFormat.Json:
                try
                {
                    using JsonDocument _ = JsonDocument.Parse(text);
                }
                catch (JsonException e)
                {
                    throw new FormatException($"the value is not JSON: {e.Message}", e);
                }
                return Encoding.UTF8.GetBytes(text);
            case BlobValueFormat.Bytes:
                return Convert.FromBase64String(text);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "string, json or bytes");
        }
    }

    /// <summary>The format named <paramref name="name"/> (string, json, bytes); <see cref="ArgumentException"/> otherwise.</summary>
    public static BlobValueFormat Parse(string name) =>
        Enum.TryParse(name, ignoreCase: true, out BlobValueFormat format) && Enum.IsDefined(format)
            ? format
            : throw new ArgumentException($"a blob map's value format is string, json or bytes, not '{name}'");
}
