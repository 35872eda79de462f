using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>Tables, replicas and sidecars of the replica tests, and how they wait for one another.</summary>
public sealed partial class PostgresReplicaTests
{
    private string ConfirmedPosition(string slot) =>
        postgres.Rows($"SELECT slot_name, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{slot}'").Single().Value!;

    /// <summary>A new table (id bigint primary key, price double precision) holding keys 0 .. rows - 1 at id x 10.</summary>
    private string NewTable(int rows)
    {
        string table = "t" + Guid.NewGuid().ToString("N")[..12];
        postgres.Execute($"CREATE TABLE {table} (id bigint PRIMARY KEY, price double precision); " +
            $"INSERT INTO {table} SELECT g, g * 10 FROM generate_series(0, {rows - 1}) g");
        return table;
    }

    private IHost StartReplica(string map, string table, TempMapDirectory dir, string? slot = null, long capacity = 10_000, TimeSpan? staleAfter = null, long? maxCapacity = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(options =>
        {
            options.Directory = dir.Path;
            options.Maps[map] = new ShmMapSettings
            {
                Capacity = capacity,
                MaxCapacity = maxCapacity,
                MaxDelay = TimeSpan.FromMilliseconds(5),
                StaleAfter = staleAfter ?? TimeSpan.FromSeconds(30),
                Postgres = new PostgresSourceSettings
                {
                    ConnectionString = postgres.ConnectionString,
                    Table = table,
                    KeyColumn = "id",
                    ValueColumn = "price",
                    Slot = slot ?? $"{table}_{map}",
                },
            };
        }).AddPostgresReplica<long, double>(map);
        IHost host = builder.Build();
        host.Start();
        return host;
    }

    private ChildProcess StartSidecar(string map, string table) =>
        ChildProcess.Start("cli", "sidecar", "--map", map, "--postgres", postgres.ConnectionString, "--table", table, "--key-column", "id",
            "--value-column", "price", "--key", "long", "--value", "double", "--slot", $"{table}_{map}", "--max-delay-ms", "5", "--dir", _dir.Path);

    private static LeftRightReader<long, double> WaitForMap(string map, TempMapDirectory dir)
    {
        LeftRightReader<long, double>? reader = null;
        WriterServiceTests.WaitUntil(() =>
        {
            try
            {
                reader = LeftRightMap.OpenReader<long, double>(map, dir.Options);
                return true;
            }
            catch (MapNotFoundException)
            {
                return false;
            }
        });
        return reader!;
    }

    /// <summary>Waits until the map holds exactly the table's rows (NULL values as absent keys).</summary>
    private void WaitForTable(LeftRightReader<long, double> reader, string table, int seconds = 60)
    {
        Dictionary<long, double> expected = [];
        string difference = "";
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            expected = postgres.Rows($"SELECT id, price FROM {table} WHERE price IS NOT NULL")
                .ToDictionary(row => long.Parse(row.Key, CultureInfo.InvariantCulture), row => double.Parse(row.Value!, CultureInfo.InvariantCulture));
            using (ReadGuard<long, double> guard = reader.Guard())
            {
                difference = Difference(expected, guard);
            }
            if (difference.Length == 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the map did not become the table in {seconds} s: {difference}");
            Thread.Sleep(20);
        }
    }

    private static string Difference(Dictionary<long, double> expected, ReadGuard<long, double> map)
    {
        if (map.Count != expected.Count)
        {
            return $"{map.Count} keys in the map, {expected.Count} rows";
        }
        foreach ((long key, double value) in expected)
        {
            if (map.Get(key) is not { } found || found != value)
            {
                return $"key {key}: {map.Get(key)?.ToString(CultureInfo.InvariantCulture) ?? "absent"} in the map, {value} in the table";
            }
        }
        return "";
    }
}
