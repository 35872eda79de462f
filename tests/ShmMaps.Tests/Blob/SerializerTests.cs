using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;

namespace ShmMaps.Tests.Blob;

/// <summary>What a typed map's values become in the file, and back: built-in types, JSON, and bytes that are not a value.</summary>
public sealed partial class SerializerTests
{
    public sealed record PriceRow(string Symbol, decimal Price, DateTimeOffset At, int[] Sizes);

    [JsonSerializable(typeof(PriceRow))]
    private sealed partial class RowContext : JsonSerializerContext;

    [Fact]
    public void StringsAreTheirUtf8BytesAndBytesThatAreNotUtf8AreAFormatError()
    {
        IShmSerializer<string> strings = ShmSerializer.BuiltIn<string>()!;
        foreach (string text in new[] { "", "plain", "é ☃ 𝄞", new string('x', 100_000) })
        {
            byte[] bytes = Bytes(strings, text);
            Assert.Equal(Encoding.UTF8.GetBytes(text), bytes);
            Assert.Equal(text, strings.Deserialize(bytes));
        }
        var error = Assert.Throws<FormatException>(() => strings.Deserialize([0x61, 0xC3]));
        Assert.Contains("not UTF-8", error.Message);
        Assert.Throws<ArgumentNullException>(() => Bytes(strings, null!));
    }

    [Fact]
    public void ByteArraysAreThemselves()
    {
        IShmSerializer<byte[]> arrays = ShmSerializer.BuiltIn<byte[]>()!;
        byte[] value = [0, 1, 2, 255];
        Assert.Equal(value, Bytes(arrays, value));
        Assert.Equal(value, arrays.Deserialize(value));
        Assert.Empty(arrays.Deserialize([]));
    }

    [Fact]
    public void ValuesWithoutReferencesAreTheirBytesOfExactlyTheirSize()
    {
        IShmSerializer<decimal> decimals = ShmSerializer.BuiltIn<decimal>()!;
        Assert.Equal(16, Bytes(decimals, 1.5m).Length);
        Assert.Equal(1.5m, decimals.Deserialize(Bytes(decimals, 1.5m)));

        IShmSerializer<(long Id, double Price)> pairs = ShmSerializer.BuiltIn<(long, double)>()!;
        Assert.Equal((7L, 2.5), pairs.Deserialize(Bytes(pairs, (7L, 2.5))));

        var error = Assert.Throws<FormatException>(() => decimals.Deserialize(new byte[15]));
        Assert.Contains("15 bytes is not a Decimal, which takes 16", error.Message);
    }

    [Fact]
    public void TypesWithReferencesHaveNoBuiltInSerializer()
    {
        Assert.Null(ShmSerializer.BuiltIn<PriceRow>());
        Assert.Null(ShmSerializer.BuiltIn<(string, int)>());
    }

    [Fact]
    public void RecordsAreJsonThroughASourceGeneratedContextOrReflection()
    {
        var row = new PriceRow("AAPL", 189.25m, new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero), [100, 200]);
        IShmSerializer<PriceRow> generated = ShmSerializer.Json(RowContext.Default.PriceRow);
        IShmSerializer<PriceRow> reflected = ShmSerializer.Json<PriceRow>();
        byte[] bytes = Bytes(generated, row);
        Assert.Equal("""{"Symbol":"AAPL","Price":189.25,"At":"2026-12-07T09:30:00+00:00","Sizes":[100,200]}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(bytes, Bytes(reflected, row));
        PriceRow back = generated.Deserialize(bytes);
        Assert.Equal((row.Symbol, row.Price, row.At), (back.Symbol, back.Price, back.At));
        Assert.Equal(row.Sizes, back.Sizes);

        var options = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase };
        Assert.StartsWith("{\"symbol\":", Encoding.UTF8.GetString(Bytes(ShmSerializer.Json<PriceRow>(options), row)));
        options.WriteIndented = true; // the caller's options are not frozen by the serializer made from them

        var error = Assert.Throws<FormatException>(() => generated.Deserialize("{\"Symbol\":"u8));
        Assert.Contains("is not the JSON of a PriceRow", error.Message);
    }

    private static byte[] Bytes<T>(IShmSerializer<T> serializer, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
