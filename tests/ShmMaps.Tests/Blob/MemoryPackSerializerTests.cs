using MemoryPack;
using ShmMaps.MemoryPack;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>The MemoryPack adapter: records through a ShmDictionary, read by another handle; damaged bytes a FormatException.</summary>
public sealed partial class MemoryPackSerializerTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [MemoryPackable]
    public sealed partial record Quote(string Symbol, decimal Price, long Volume, DateTimeOffset At, string[] Tags);

    public sealed record NotPackable(int A);

    [Fact]
    public void RecordsGoThroughMemoryPackAndAnotherHandleReadsThem()
    {
        var quote = new Quote("AAPL", 189.25m, 12_500, new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.FromHours(5.5)), ["tech", "large"]);
        using (var quotes = ShmDictionary<string, Quote>.OpenOrCreate("quotes", 100, _dir.Options, ShmMemoryPack.Serializer<Quote>()))
        {
            quotes["AAPL"] = quote;
            Quote read = quotes["AAPL"];
            Assert.Equal((quote.Symbol, quote.Price, quote.Volume, quote.At), (read.Symbol, read.Price, read.Volume, read.At));
            Assert.Equal(quote.Tags, read.Tags);
        }
        using var map = BlobMap.Open("quotes", _dir.Options);
        Assert.Equal(MemoryPackSerializer.Serialize(quote), map["AAPL"]); // the map holds MemoryPack's own bytes
        var again = new ShmDictionary<string, Quote>(map, ShmMemoryPack.Serializer<Quote>());
        Assert.Equal(quote.Price, again["AAPL"].Price);
    }

    [Fact]
    public void ATypeWithoutAFormatterIsRefusedByName()
    {
        Assert.Contains(nameof(NotPackable), Assert.Throws<ArgumentException>(() => ShmMemoryPack.Serializer<NotPackable>()).Message);
    }

    [Fact]
    public void DamagedBytesAreAFormatExceptionNeverAnotherError()
    {
        IShmSerializer<Quote> serializer = ShmMemoryPack.Serializer<Quote>();
        byte[] whole = MemoryPackSerializer.Serialize(new Quote("MSFT", 415.5m, 1, DateTimeOffset.UnixEpoch, ["a", "bc"]));
        var random = new Random(28);
        for (int i = 0; i < Stress.Pick(quick: 20_000, full: 500_000); i++)
        {
            byte[] damaged = random.Next(3) switch
            {
                0 => whole[..random.Next(whole.Length)],                    // cut short
                1 => Flip(whole, random),                                     // a byte changed
                _ => [.. Enumerable.Range(0, random.Next(64)).Select(_ => (byte)random.Next(256))], // noise
            };
            try
            {
                serializer.Deserialize(damaged);
            }
            catch (FormatException)
            {
            }
        }
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        byte[] copy = [.. bytes];
        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }
}
