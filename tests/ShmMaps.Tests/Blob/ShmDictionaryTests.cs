using System.Text.Json.Serialization;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>ShmDictionary: .NET values by key over a BlobMap, with built-in and JSON serializers.</summary>
public sealed partial class ShmDictionaryTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public sealed record PriceRow(string Symbol, decimal Price, DateTimeOffset At);

    [JsonSerializable(typeof(PriceRow))]
    private sealed partial class PriceRowContext : JsonSerializerContext;

    [Fact]
    public void RecordsGoThroughJsonAndAnotherHandleReadsThem()
    {
        var row = new PriceRow("AAPL", 189.25m, new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero));
        using (var prices = ShmDictionary<string, PriceRow>.OpenOrCreate("prices", 100, _dir.Options, ShmSerializer.Json(PriceRowContext.Default.PriceRow)))
        {
            prices["AAPL"] = row;
            Assert.Equal(row, prices["AAPL"]);
            Assert.False(prices.TryGetValue("MSFT", out _));
        }
        using var map = BlobMap.Open("prices", _dir.Options);
        Assert.StartsWith("""{"Symbol":"AAPL","Price":189.25""", System.Text.Encoding.UTF8.GetString(map["AAPL"]));
        var again = new ShmDictionary<string, PriceRow>(map, ShmSerializer.Json(PriceRowContext.Default.PriceRow));
        Assert.Equal(row, again["AAPL"]);
        Assert.Equal(1, again.Count);
    }

    [Fact]
    public void StringsBytesAndUnmanagedValuesAreBuiltInAndNumbersAreKeys()
    {
        using var text = ShmDictionary<string, string>.OpenOrCreate("text", 10, _dir.Options);
        text["greeting"] = "grüße";
        Assert.Equal("grüße", text["greeting"]);
        Assert.Equal("grüße"u8.ToArray(), text.Map["greeting"]);
        using var ids = ShmDictionary<long, Guid>.OpenOrCreate("ids", 10, _dir.Options);
        Guid id = Guid.NewGuid();
        ids[42] = id;
        Assert.Equal(id, ids[42]);
        Assert.True(ids.Map.ContainsKey("42"));
        Assert.True(ids.TryRemove(42));
        Assert.False(ids.ContainsKey(42));
        using var blobs = ShmDictionary<Guid, byte[]>.OpenOrCreate("blobs", 10, _dir.Options);
        blobs[id] = [1, 2, 3];
        Assert.Equal([1, 2, 3], blobs[id]);
        Assert.Throws<KeyNotFoundException>(() => blobs[Guid.Empty]);
    }

    [Fact]
    public void ATypeWithoutABuiltInSerializerNeedsOne()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ShmDictionary<string, PriceRow>.OpenOrCreate("rows", 10, _dir.Options));
        Assert.Contains("ShmSerializer.Json", e.Message);
        Assert.Throws<NotSupportedException>(() => ShmDictionary<object, string>.OpenOrCreate("objects", 10, _dir.Options));
    }
}
