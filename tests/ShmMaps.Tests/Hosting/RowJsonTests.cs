using System.Buffers;
using System.Text;
using System.Text.Json;
using ShmMaps.Hosting;

namespace ShmMaps.Tests.Hosting;

/// <summary>A replicated row as one JSON object, from the columns' text forms PostgreSQL sends, and read back typed.</summary>
public sealed class RowJsonTests
{
    public sealed record QuoteRow(string Symbol, decimal Price, long Volume, bool Halted, DateTimeOffset At, DateOnly Day, TimeOnly Open, DateTime Local, double Ratio, JsonElement Tags, byte[] Raw, string? Note);

    private static readonly RowColumn[] Columns =
    [
        new("Symbol", 25), new("Price", PgType.Numeric), new("Volume", PgType.Int8), new("Halted", PgType.Bool),
        new("At", PgType.Timestamptz), new("Day", PgType.Date), new("Open", PgType.Time), new("Local", PgType.Timestamp),
        new("Ratio", PgType.Float8), new("Tags", PgType.Jsonb), new("Raw", PgType.Bytea), new("Note", 1043),
    ];

    [Fact]
    public void ARowIsAnObjectOfItsColumnsThatReadsBackTyped()
    {
        string json = Json(Columns, ["AAPL", "189.250", "12500", "f", "2026-12-07 09:30:00.5+05:30", "2026-12-07", "09:30:00", "2026-12-07 09:30:00",
            "0.25", """{"sector": "tech"}""", @"\x00ff10", null]);
        Assert.Equal(
            """{"Symbol":"AAPL","Price":189.250,"Volume":12500,"Halted":false,"At":"2026-12-07T09:30:00.5+05:30","Day":"2026-12-07","Open":"09:30:00","Local":"2026-12-07T09:30:00","Ratio":0.25,"Tags":{"sector": "tech"},"Raw":"AP8Q","Note":null}""",
            json);
        QuoteRow row = JsonSerializer.Deserialize<QuoteRow>(json)!;
        Assert.Equal(189.250m, row.Price);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 9, 30, 0, 500, TimeSpan.FromHours(5.5)), row.At);
        Assert.Equal(new DateOnly(2026, 12, 7), row.Day);
        Assert.Equal(new TimeOnly(9, 30), row.Open);
        Assert.Equal(new byte[] { 0, 255, 16 }, row.Raw);
        Assert.Equal("tech", row.Tags.GetProperty("sector").GetString());
    }

    [Theory]
    [InlineData(PgType.Float8, "NaN", "\"NaN\"")]
    [InlineData(PgType.Float8, "-Infinity", "\"-Infinity\"")]
    [InlineData(PgType.Numeric, "NaN", "\"NaN\"")]
    [InlineData(PgType.Float4, "1e+20", "1e+20")]
    [InlineData(PgType.Int4, "-42", "-42")]
    [InlineData(PgType.Timestamptz, "infinity", "\"infinity\"")]
    [InlineData(PgType.Timestamptz, "2026-12-07 09:30:00+00", "\"2026-12-07T09:30:00+00:00\"")]
    [InlineData(PgType.Timestamptz, "0044-03-15 12:00:00+00 BC", "\"0044-03-15 12:00:00+00 BC\"")]
    [InlineData(PgType.Date, "-infinity", "\"-infinity\"")]
    [InlineData(PgType.Time, "23:59:59.123456", "\"23:59:59.123456\"")]
    [InlineData(PgType.Bool, "t", "true")]
    [InlineData(2950u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"")]
    [InlineData(1007u, "{1,2,3}", "\"{1,2,3}\"")]
    public void ValuesJsonHasNoFormForAreTheirTextAsAString(uint type, string text, string expected) =>
        Assert.Equal($$"""{"c":{{expected}}}""", Json([new("c", type)], [text]));

    [Fact]
    public void AJsonColumnThatIsNotJsonAndAMismatchedRowAreErrors()
    {
        Assert.ThrowsAny<JsonException>(() => Json([new("doc", PgType.Json)], ["{not json"]));
        Assert.Throws<ArgumentException>(() => Json(Columns, ["only one"]));
    }

    private static string Json(IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RowJson.Write(buffer, columns, texts);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
