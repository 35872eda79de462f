using System.Buffers;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using MemoryPack;
using ShmMaps.MemoryPack;

namespace ShmMaps.Benchmarks;

/// <summary>
/// What a typed blob map pays to turn a database row into bytes and back: System.Text.Json through a source-generated
/// context (the default, AOT-safe) beside MemoryPack (the <c>ShmMaps.MemoryPack</c> adapter), one row of a quote table
/// (about 100 bytes of JSON): the serializers alone, and a <c>ShmDictionary</c> set and get of 1,024 keys through each.
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
    private ShmOptions _options = null!;
    private ShmDictionary<string, QuoteRow> _jsonRows = null!;
    private ShmDictionary<string, QuoteRow> _packRows = null!;
    private readonly string[] _keys = [.. Enumerable.Range(0, OperationsPerInvoke).Select(i => $"quote-{i:D6}")];

    [GlobalSetup]
    public void Setup()
    {
        _options = BenchData.PrivateDirectory();
        _jsonRows = ShmDictionary<string, QuoteRow>.OpenOrCreate("rows-json", OperationsPerInvoke, _options, _json);
        _packRows = ShmDictionary<string, QuoteRow>.OpenOrCreate("rows-pack", OperationsPerInvoke, _options, ShmMemoryPack.Serializer<QuoteRow>());
        foreach (string key in _keys)
        {
            _jsonRows[key] = _row;
            _packRows[key] = _row;
        }
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

    [GlobalCleanup]
    public void Cleanup()
    {
        _jsonRows.Dispose();
        _packRows.Dispose();
        BenchData.Remove(_options);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("dictionary-set")]
    public int JsonDictionarySet() => Set(_jsonRows);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("dictionary-set")]
    public int MemoryPackDictionarySet() => Set(_packRows);

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("dictionary-get")]
    public decimal JsonDictionaryGet() => Get(_jsonRows);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke), BenchmarkCategory("dictionary-get")]
    public decimal MemoryPackDictionaryGet() => Get(_packRows);

    private int Set(ShmDictionary<string, QuoteRow> rows)
    {
        foreach (string key in _keys)
        {
            rows[key] = _row;
        }
        return _keys.Length;
    }

    private decimal Get(ShmDictionary<string, QuoteRow> rows)
    {
        decimal sum = 0;
        foreach (string key in _keys)
        {
            sum += rows[key].Price;
        }
        return sum;
    }

    /// <summary>A row of a quote table.</summary>
    [MemoryPackable]
    public sealed partial record QuoteRow(string Symbol, string Exchange, decimal Price, long Volume, DateTimeOffset At);

    [JsonSerializable(typeof(QuoteRow))]
    private sealed partial class QuoteContext : JsonSerializerContext;
}
