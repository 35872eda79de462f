using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ShmMaps.Hosting;

/// <summary>
/// A row of a PostgreSQL table as one JSON object of its columns, made from the columns' text forms (each type's output
/// function: what <c>pgoutput</c> sends in the stream, and what a snapshot query gets with every result column in text
/// format), so that a row reads the same whichever path brought it.
/// </summary>
/// <remarks>
/// Booleans, integers and finite floating-point and numeric values become JSON numbers and booleans; <c>json</c> and
/// <c>jsonb</c> are embedded as they are; <c>bytea</c> becomes base64; timestamps, dates and times become the ISO 8601
/// strings System.Text.Json reads back into <see cref="DateTimeOffset"/>, <see cref="DateTime"/>, <see cref="DateOnly"/>
/// and <see cref="TimeOnly"/>; SQL null is JSON null; everything else (text, uuid, intervals, arrays, infinities, NaN)
/// is its text as a string.
/// </remarks>
internal static class RowJson
{
    /// <summary>Writes the object of <paramref name="columns"/>, whose texts (null: SQL null) are <paramref name="texts"/>, to <paramref name="destination"/>.</summary>
    public static void Write(IBufferWriter<byte> destination, IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts)
    {
        if (columns.Count != texts.Count)
        {
            throw new ArgumentException($"a row of {columns.Count} columns was given {texts.Count} values", nameof(texts));
        }
        // Relaxed escaping: the row is data read by programs and shm, not text put into HTML; "+" and "é" stay as they are.
        using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        for (int i = 0; i < columns.Count; i++)
        {
            writer.WritePropertyName(columns[i].Name);
            WriteValue(writer, columns[i].TypeOid, texts[i]);
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes one column's value from its text.</summary>
    public static void WriteValue(Utf8JsonWriter writer, uint typeOid, string? text)
    {
        if (text is null)
        {
            writer.WriteNullValue();
            return;
        }
        switch (typeOid)
        {
            case PgType.Bool when text is "t" or "f" or "true" or "false": // the output function's form, or bool::text's
                writer.WriteBooleanValue(text[0] == 't');
                return;
            case PgType.Int2 or PgType.Int4 or PgType.Int8 or PgType.Oid when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer):
                writer.WriteNumberValue(integer);
                return;
            case PgType.Float4 or PgType.Float8 or PgType.Numeric when IsJsonNumber(text):
                writer.WriteRawValue(text); // the exact digits: a double would round a numeric
                return;
            case PgType.Json or PgType.Jsonb:
                writer.WriteRawValue(text); // validated: a column that is not JSON is an error, not a broken document
                return;
            case PgType.Bytea when text.StartsWith(@"\x", StringComparison.Ordinal):
                writer.WriteBase64StringValue(Convert.FromHexString(text.AsSpan(2)));
                return;
            case PgType.Timestamptz when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset moment):
                writer.WriteStringValue(moment);
                return;
            case PgType.Timestamp when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local):
                writer.WriteStringValue(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
                return;
            case PgType.Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date):
                writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                return;
            case PgType.Time when TimeOnly.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly time):
                writer.WriteStringValue(time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                return;
            default:
                writer.WriteStringValue(text);
                return;
        }
    }

    /// <summary>Whether PostgreSQL's text of a number is also a JSON number (not NaN, Infinity, nor a form JSON lacks).</summary>
    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.BytesConsumed == text.Length && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
