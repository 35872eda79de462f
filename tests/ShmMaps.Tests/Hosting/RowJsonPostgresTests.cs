using System.Buffers;
using System.Text.Json;
using Npgsql;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>A row's JSON made from the text forms a real PostgreSQL gives, against the server's own <c>row_to_json</c>.</summary>
[Collection("postgres")]
public sealed class RowJsonPostgresTests(PostgresCluster postgres)
{
    [Fact]
    public void EveryColumnReadsAsTheServersOwnJsonOfItSays()
    {
        const string row = """
            SELECT 'AAPL'::text AS symbol, 189.250::numeric AS price, 12500::bigint AS volume, 7::smallint AS lot, false AS halted,
                   '2026-12-07 09:30:00.5+05:30'::timestamptz AS at, '2026-12-07'::date AS day, '09:30:00'::time AS open,
                   '2026-12-07 09:30:00'::timestamp AS local, 0.25::float8 AS ratio, 1.5::real AS half,
                   '{"sector": "tech", "n": [1, 2]}'::jsonb AS tags, '{"a":1}'::json AS doc, '\x00ff10'::bytea AS raw,
                   NULL::text AS note, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id
            """;
        using var connection = new NpgsqlConnection(postgres.ConnectionString);
        connection.Open();
        var columns = new List<RowColumn>();
        var texts = new List<string?>();
        using (var command = new NpgsqlCommand($"SELECT * FROM ({row}) r", connection))
        using (NpgsqlDataReader reader = command.ExecuteReader())
        {
            reader.Read();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                columns.Add(new RowColumn(reader.GetName(i), reader.GetDataTypeOID(i)));
            }
        }
        // Every column in text format: each type's output function, as pgoutput sends it (::text differs for some: bool).
        using (var command = new NpgsqlCommand($"SELECT * FROM ({row}) r", connection) { AllResultTypesAreUnknown = true })
        using (NpgsqlDataReader reader = command.ExecuteReader())
        {
            reader.Read();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                texts.Add(reader.IsDBNull(i) ? null : reader.GetString(i));
            }
        }
        string server;
        using (var command = new NpgsqlCommand($"SELECT row_to_json(r)::text FROM ({row}) r", connection))
        {
            server = (string)command.ExecuteScalar()!;
        }

        var buffer = new ArrayBufferWriter<byte>();
        RowJson.Write(buffer, columns, texts);
        using JsonDocument ours = JsonDocument.Parse(buffer.WrittenMemory);
        using JsonDocument theirs = JsonDocument.Parse(server);
        Assert.Equal("", RowJsonAssert.Difference(theirs.RootElement, ours.RootElement));
    }
}
