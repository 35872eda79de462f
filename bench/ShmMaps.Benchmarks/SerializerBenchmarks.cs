using System.Buffers;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using MemoryPack;

namespace ShmMaps.Benchmarks;

/// <summary>
/// What a typed blob map pays to turn a database row into bytes and back: System.Text.Json through a source-generated
/// context (the default, AOT-safe) beside MemoryPack, one row of a quote table (about 100 bytes of JSON).
/// </summary>
[BenchmarkCategory("Serializer")]
[MemoryDiagnoser]
public partial class SerializerBenchmarks
{
    private const int OperationsPerInvoke = 1024;

    private readonly QuoteRow _row = new("AAPL", "XNAS", 189.25m, 12_500, new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero));
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly IShmSerializer<QuoteRow> _json = ShmSerializer.Json(QuoteContext.Default.QuoteRow);
    private byte[] _jsonBytes = null!;
    private byte[] _packBytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _json.Serialize(_row, _buffer);
        _jsonBytes = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        MemoryPackSerializer.Serialize(_buffer, _row);
        _packBytes = _buffer.WrittenSpan.ToArray();
        Console.WriteLine($"// one row: {_jsonBytes.Length} bytes of JSON, {_packBytes.Length} bytes of MemoryPack");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("serialize")]
    public int JsonSerialize()
    {
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _buffer.ResetWrittenCount();
            _json.Serialize(_row, _buffer);
        }
        return _buffer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("serialize")]
    public int MemoryPackSerialize()
    {
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            _buffer.ResetWrittenCount();
            MemoryPackSerializer.Serialize(_buffer, _row);
        }
        return _buffer.WrittenCount;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("deserialize")]
    public decimal JsonDeserialize()
    {
        decimal sum = 0;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            sum += _json.Deserialize(_jsonBytes).Price;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("deserialize")]
    public decimal MemoryPackDeserialize()
    {
        decimal sum = 0;
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            sum += MemoryPackSerializer.Deserialize<QuoteRow>(_packBytes)!.Price;
        }
        return sum;
    }

    /// <summary>A row of a quote table.</summary>
    [MemoryPackable]
    public sealed partial record QuoteRow(string Symbol, string Exchange, decimal Price, long Volume, DateTimeOffset At);

    [JsonSerializable(typeof(QuoteRow))]
    private sealed partial class QuoteContext : JsonSerializerContext;
}
