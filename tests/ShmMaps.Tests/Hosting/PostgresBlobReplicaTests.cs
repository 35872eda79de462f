using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>
/// <see cref="BlobMap"/> replicas of a real PostgreSQL table: whole rows as JSON objects (each equal to the server's own
/// <c>row_to_json</c> of the row, whichever path brought it), one text, jsonb or bytea column, rows whose large values an
/// update leaves out (TOAST), through the host and the command line.
/// </summary>
[Collection("postgres")]
public sealed class PostgresBlobReplicaTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WholeRowsReadAsTheServersOwnJsonOfThemThroughSnapshotAndStream()
    {
        string table = NewQuoteTable();
        using IHost host = StartReplica("rows", table, settings => settings.Row = true);
        WaitForRows("rows", table, $"SELECT symbol, row_to_json(t)::text FROM {table} t");
        postgres.Execute(
            $"INSERT INTO {table} VALUES ('GOOG', 170.5, 10, true, '2026-12-07 10:00:00+00', '[1, {{\"a\": null}}]', '\\x0102', 3, 'new'); " +
            $"UPDATE {table} SET price = 190, halted = NULL WHERE symbol = 'AAPL'; DELETE FROM {table} WHERE symbol = 'MSFT'; " +
            $"UPDATE {table} SET symbol = 'META' WHERE symbol = 'FB'; " +
            $"UPDATE {table} SET volume = volume + 1 WHERE symbol = 'BIG'"); // BIG's note is TOASTed: the update does not carry it
        WaitForRows("rows", table, $"SELECT symbol, row_to_json(t)::text FROM {table} t");
        using (BlobMap map = BlobMap.Open("rows", _dir.Options))
        {
            Assert.False(map.ContainsKey("FB"));
            Assert.False(map.ContainsKey("MSFT"));
        }

        // The typed face reads a row as the record of its columns.
        using var typed = ShmDictionary<string, Quote>.OpenOrCreate("rows", 10, _dir.Options,
            ShmSerializer.Json<Quote>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true }));
        Quote aapl = typed["AAPL"];
        Assert.Equal(190m, aapl.Price);
        Assert.Null(aapl.Halted);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero), aapl.At);
        Assert.Equal(2, typed["GOOG"].Tags.GetArrayLength());
        Assert.Equal([1, 2], typed["GOOG"].Raw);
        host.StopAsync().Wait();
    }

    [Fact]
    public void ChosenColumnsMakeTheObjectInTheirOrder()
    {
        string table = NewQuoteTable();
        // Bound from configuration, as a sidecar's appsettings.json gives it.
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ShmMaps:Directory"] = _dir.Path,
            ["ShmMaps:Maps:some:Postgres:ConnectionString"] = postgres.ConnectionString,
            ["ShmMaps:Maps:some:Postgres:Table"] = table,
            ["ShmMaps:Maps:some:Postgres:KeyColumn"] = "symbol",
            ["ShmMaps:Maps:some:Postgres:Row"] = "true",
            ["ShmMaps:Maps:some:Postgres:Columns:0"] = "price",
            ["ShmMaps:Maps:some:Postgres:Columns:1"] = "symbol",
            ["ShmMaps:Maps:some:Postgres:Columns:2"] = "lot",
            ["ShmMaps:Maps:some:Postgres:Slot"] = $"{table}_some",
        }).Build();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(configuration.GetSection(ShmMapsOptions.SectionName)).AddPostgresBlobReplica("some");
        using IHost host = builder.Build();
        host.Start();
        string expected = $"SELECT symbol, json_build_object('price', price, 'symbol', symbol, 'lot', lot)::text FROM {table}";
        WaitForRows("some", table, expected);
        postgres.Execute($"UPDATE {table} SET lot = 9, note = 'not replicated' WHERE symbol = 'AAPL'; UPDATE {table} SET note = 'x' WHERE symbol = 'BIG'");
        WaitForRows("some", table, expected);
        using BlobMap map = BlobMap.Open("some", _dir.Options);
        Assert.Equal("""{"price":189.25,"symbol":"AAPL","lot":9}""", Encoding.UTF8.GetString(map["AAPL"]));
    }

    [Theory]
    [InlineData(BlobValueFormat.String, "note")]
    [InlineData(BlobValueFormat.Json, "tags")]
    [InlineData(BlobValueFormat.Bytes, "raw")]
    public void OneColumnIsStoredAsItsTextJsonOrBytes(BlobValueFormat format, string column)
    {
        string table = NewQuoteTable();
        string map = $"column-{column}";
        using IHost host = StartReplica(map, table, settings =>
        {
            settings.ValueColumn = column;
            settings.ValueFormat = format;
        });
        // Text and JSON as the server writes them; bytea as base64, its bytes compared below.
        string expected = $"SELECT symbol, {(format == BlobValueFormat.Bytes ? $"encode({column}, 'base64')" : $"{column}::text")} FROM {table} WHERE {column} IS NOT NULL";
        WaitForValues(map, expected, format);
        postgres.Execute($"UPDATE {table} SET {column} = NULL WHERE symbol = 'AAPL'; " + // a NULL removes the key
            $"INSERT INTO {table} (symbol, note, tags, raw) VALUES ('NEW', 'é', '{{\"b\": [true]}}', '\\xffee'); UPDATE {table} SET price = 1 WHERE symbol = 'BIG'");
        WaitForValues(map, expected, format);
        using BlobMap blobs = BlobMap.Open(map, _dir.Options);
        Assert.False(blobs.ContainsKey("AAPL"));
    }

    [Fact]
    public void ASidecarOfRowsKilledAndRestartedConvergesAndShmGetPrintsTheRow()
    {
        string table = NewQuoteTable();
        string[] sidecar = ["sidecar", "--map", "quotes", "--postgres", postgres.ConnectionString, "--table", table, "--key-column", "symbol",
            "--row", "--key", "string", "--slot", $"{table}_quotes", "--max-delay-ms", "5", "--dir", _dir.Path];
        using (ChildProcess first = ChildProcess.Start("cli", sidecar))
        {
            first.WaitForContaining("snapshot of");
            postgres.Execute($"UPDATE {table} SET price = 200 WHERE symbol = 'AAPL'");
            Thread.Sleep(Random.Shared.Next(50, 500));
            first.Kill();
        }
        postgres.Execute($"DELETE FROM {table} WHERE symbol = 'MSFT'; UPDATE {table} SET tags = '{{\"k\": 2}}' WHERE symbol = 'AAPL'");
        using ChildProcess second = ChildProcess.Start("cli", sidecar);
        WaitForRows("quotes", table, $"SELECT symbol, row_to_json(t)::text FROM {table} t");
        var output = new StringWriter();
        Assert.Equal(0, ShmMaps.Tool.Program.Run(["get", "quotes", "AAPL", "--dir", _dir.Path], output, output));
        using (JsonDocument printed = JsonDocument.Parse(output.ToString()))
        {
            Assert.Equal(200m, printed.RootElement.GetProperty("price").GetDecimal());
            Assert.Equal(2, printed.RootElement.GetProperty("tags").GetProperty("k").GetInt32());
        }
        second.Terminate();
        Assert.Equal(0, second.WaitForExit());
    }

    [Fact]
    public void ARowOptionWithAValueColumnOrANumericValueIsRefusedWithTheReason()
    {
        var both = new PostgresSourceSettings { ConnectionString = "Host=db", Table = "t", KeyColumn = "k", ValueColumn = "v", Row = true };
        Assert.Contains("leave ValueColumn out", Assert.Throws<ArgumentException>(() => both.Validate("m")).Message);
        var columnsAlone = new PostgresSourceSettings { ConnectionString = "Host=db", Table = "t", KeyColumn = "k", ValueColumn = "v", Columns = ["a"] };
        Assert.Contains("needs Row", Assert.Throws<ArgumentException>(() => columnsAlone.Validate("m")).Message);
        var rows = new PostgresSourceSettings { ConnectionString = "Host=db", Table = "t", KeyColumn = "k", Row = true };
        Assert.Contains("BlobMap", Assert.Throws<ArgumentException>(() => new PostgresChangeSource<long, double>("m", rows, _dir.Options,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresChangeSource<long, double>>.Instance)).Message);
        var output = new StringWriter();
        Assert.NotEqual(0, ShmMaps.Tool.Program.Run(["sidecar", "--map", "m", "--postgres", "Host=db", "--table", "t", "--key-column", "k", "--row",
            "--key", "long", "--dir", _dir.Path], output, output));
        Assert.Contains("--key string", output.ToString());
    }

    /// <summary>
    /// A table of quotes by symbol with columns of many types (a domain among them) and rows AAPL, MSFT, FB, and BIG,
    /// whose note is large enough to be stored out of line (TOAST).
    /// </summary>
    private string NewQuoteTable()
    {
        string table = "q" + Guid.NewGuid().ToString("N")[..12];
        postgres.Execute(
            $"CREATE DOMAIN {table}_lot AS integer CHECK (VALUE > 0); " +
            $"CREATE TABLE {table} (symbol text PRIMARY KEY, price numeric, volume bigint, halted boolean, at timestamptz, tags jsonb, raw bytea, " +
            $"lot {table}_lot, note text); " +
            $"INSERT INTO {table} VALUES ('AAPL', 189.25, 12500, false, '2026-12-07 09:30:00+05:30', '{{\"sector\": \"tech\"}}', '\\x00ff', 7, 'plain'), " +
            $"('MSFT', 415.5, NULL, true, NULL, '[]', NULL, NULL, NULL), ('FB', 1, 1, false, '2026-01-01 00:00:00+00', 'null', '\\x', 1, ''), " +
            $"('BIG', 2, 2, false, NULL, '{{}}', '\\x01', 2, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 4000) g))");
        return table;
    }

    private IHost StartReplica(string map, string table, Action<PostgresSourceSettings> shape)
    {
        var settings = new PostgresSourceSettings { ConnectionString = postgres.ConnectionString, Table = table, KeyColumn = "symbol", Slot = $"{table}_{map.Replace('-', '_')}" };
        shape(settings);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(options =>
        {
            options.Directory = _dir.Path;
            options.Maps[map] = new ShmMapSettings { Capacity = 16, Postgres = settings };
        }).AddPostgresBlobReplica(map);
        IHost host = builder.Build();
        host.Start();
        return host;
    }

    /// <summary>Waits until blob map <paramref name="map"/> holds exactly the rows <paramref name="query"/> gives (key, the server's JSON of the row).</summary>
    private void WaitForRows(string map, string table, string query) => WaitFor(map, query, (expected, stored) =>
    {
        using JsonDocument server = JsonDocument.Parse(expected);
        using JsonDocument ours = JsonDocument.Parse(stored);
        return RowJsonAssert.Difference(server.RootElement, ours.RootElement);
    }, $"table {table}");

    /// <summary>Waits until blob map <paramref name="map"/> holds exactly what <paramref name="query"/> gives (key, the value's text or base64).</summary>
    private void WaitForValues(string map, string query, BlobValueFormat format) => WaitFor(map, query, (expected, stored) =>
    {
        byte[] wanted = format == BlobValueFormat.Bytes ? Convert.FromBase64String(expected.Replace("\n", "", StringComparison.Ordinal)) : Encoding.UTF8.GetBytes(expected);
        return wanted.AsSpan().SequenceEqual(stored) ? "" : $"{Convert.ToHexString(stored)} is not {Convert.ToHexString(wanted)}";
    }, query);

    private void WaitFor(string map, string query, Func<string, byte[], string> difference, string what)
    {
        string last = "";
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            last = Difference(map, postgres.Rows(query), difference);
            if (last.Length == 0)
            {
                return;
            }
            Thread.Sleep(20);
        }
        Assert.Fail($"map {map} did not become {what} in 60 s: {last}");
    }

    private string Difference(string map, Dictionary<string, string?> rows, Func<string, byte[], string> difference)
    {
        BlobMap blobs;
        try
        {
            blobs = BlobMap.Open(map, _dir.Options);
        }
        catch (MapNotFoundException)
        {
            return "no map yet";
        }
        using (blobs)
        {
            if (blobs.Count != rows.Count)
            {
                return $"{blobs.Count} keys in the map, {rows.Count} rows";
            }
            foreach ((string key, string? expected) in rows)
            {
                if (!blobs.TryGetValue(key, out byte[]? stored))
                {
                    return $"key {key} is absent";
                }
                if (difference(expected!, stored) is { Length: > 0 } why)
                {
                    return $"key {key}: {why}";
                }
            }
            return "";
        }
    }

    public sealed record Quote(string Symbol, decimal? Price, long? Volume, bool? Halted, DateTimeOffset? At, JsonElement Tags, byte[]? Raw, int? Lot, string? Note);
}
