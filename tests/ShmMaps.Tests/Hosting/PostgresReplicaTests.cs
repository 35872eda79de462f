using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>
/// Maps kept replicas of a table of a real PostgreSQL (a private cluster, <see cref="PostgresCluster"/>): a snapshot then
/// live changes, deletes and key changes, two hosts on one table, a sidecar killed mid-stream, the server restarted.
/// </summary>
[Collection("postgres")]
public sealed partial class PostgresReplicaTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempMapDirectory _dir = new();
    private readonly List<TempMapDirectory> _more = [];

    public void Dispose()
    {
        _dir.Dispose();
        _more.ForEach(dir => dir.Dispose());
    }

    [Fact]
    public void ASnapshotThenEveryInsertUpdateAndDeleteReachTheMap()
    {
        string table = NewTable(rows: 1_000);
        using IHost host = StartReplica("snap", table, _dir);
        using var reader = WaitForMap("snap", _dir);
        WaitForTable(reader, table);
        postgres.Execute(
            $"INSERT INTO {table} VALUES (5000, 1.5); UPDATE {table} SET price = 42.25 WHERE id = 5; DELETE FROM {table} WHERE id = 7; " +
            $"UPDATE {table} SET id = 2000 WHERE id = 10; UPDATE {table} SET price = NULL WHERE id = 11");
        WaitForTable(reader, table);
        using (ReadGuard<long, double> guard = reader.Guard())
        {
            Assert.Equal(42.25, guard.Get(5));
            Assert.Null(guard.Get(7));
            Assert.Null(guard.Get(10));
            Assert.Equal(10.0 * 10, guard.Get(2000));
            Assert.Null(guard.Get(11)); // a NULL value removes the key
        }
        host.StopAsync().Wait();
    }

    [Fact]
    public void TwoHostsConvergeOnTheSameTable()
    {
        string table = NewTable(rows: 500);
        var second = new TempMapDirectory();
        _more.Add(second);
        using IHost first = StartReplica("prices", table, _dir, slot: $"{table}_first");
        using IHost other = StartReplica("prices", table, second, slot: $"{table}_second");
        using var firstMap = WaitForMap("prices", _dir);
        using var secondMap = WaitForMap("prices", second);
        for (int i = 0; i < 200; i++)
        {
            postgres.Execute($"INSERT INTO {table} VALUES ({10_000 + i}, {i}) ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price; " +
                $"UPDATE {table} SET price = price + 1 WHERE id = {i % 50}; DELETE FROM {table} WHERE id = {400 + (i % 100)}");
        }
        WaitForTable(firstMap, table);
        WaitForTable(secondMap, table);
    }

    [Fact]
    public void ASidecarKilledMidStreamResumesAndConverges()
    {
        string table = NewTable(rows: 100);
        int rounds = Stress.Pick(quick: 3, full: 20);
        using var writes = new CancellationTokenSource();
        Task writing = Task.Run(() =>
        {
            for (long i = 0; !writes.IsCancellationRequested; i++)
            {
                // Sets and deletes of 300 keys: every key is set, deleted and set again while the sidecar is killed and restarted.
                postgres.Execute($"INSERT INTO {table} VALUES ({1_000 + (i % 300)}, {i}) ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price; " +
                    $"DELETE FROM {table} WHERE id = {1_000 + ((i + 150) % 300)}");
            }
        });
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                using ChildProcess sidecar = StartSidecar("killed", table);
                sidecar.WaitForContaining(round == 0 ? "snapshot of" : "resuming slot");
                Thread.Sleep(Random.Shared.Next(200, 1_500)); // mid-stream: transactions arrive all the time
                sidecar.Kill();
            }
        }
        finally
        {
            writes.Cancel();
            writing.Wait();
        }
        using ChildProcess last = StartSidecar("killed", table);
        using var reader = WaitForMap("killed", _dir);
        WaitForTable(reader, table);
    }

    [Fact]
    public void ARunningReplicaFollowsTheServerThroughARestartAndIsUnhealthyWhileBehind()
    {
        string table = NewTable(rows: 50);
        using IHost host = StartReplica("restart", table, _dir, staleAfter: TimeSpan.FromSeconds(1));
        using var reader = WaitForMap("restart", _dir);
        WaitForTable(reader, table);
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, health.CheckHealthAsync().Result.Status);
        postgres.Stop();
        try
        {
            // Readers keep the last published state; the replica is behind from the moment the connection dropped.
            WriterServiceTests.WaitUntil(() => health.CheckHealthAsync().Result.Status == HealthStatus.Unhealthy);
            Assert.Contains("behind its server", health.CheckHealthAsync().Result.Entries["shmmap-restart"].Description);
            using (ReadGuard<long, double> guard = reader.Guard())
            {
                Assert.Equal(50, guard.Count);
            }
        }
        finally
        {
            postgres.Start();
        }
        postgres.Execute($"INSERT INTO {table} SELECT g, g * 2 FROM generate_series(100, 199) g; DELETE FROM {table} WHERE id < 10");
        WaitForTable(reader, table);
        WriterServiceTests.WaitUntil(() => health.CheckHealthAsync().Result.Status == HealthStatus.Healthy);
        WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("restart");
        Assert.True(status.WriterHeld);
    }

    [Fact]
    public void AHundredThousandRowsLoadAndFollow()
    {
        string table = NewTable(rows: 100_000);
        using IHost host = StartReplica("large", table, _dir, capacity: 1_000);
        using var reader = WaitForMap("large", _dir);
        WaitForTable(reader, table, seconds: 120);
        postgres.Execute($"UPDATE {table} SET price = -price WHERE id % 1000 = 0");
        WaitForTable(reader, table, seconds: 120);
    }

    [Fact]
    public void TextKeysReplicateAsFixedStringsThroughTheCommandLine()
    {
        string table = "s" + Guid.NewGuid().ToString("N")[..12];
        postgres.Execute($"CREATE TABLE {table} (symbol text PRIMARY KEY, price numeric); " +
            $"INSERT INTO {table} VALUES ('AAPL', 189.5), ('MSFT', 415.25), ('{new string('K', 32)}', 1)");
        using ChildProcess sidecar = ChildProcess.Start("cli", "sidecar", "--map", "prices", "--postgres", postgres.ConnectionString, "--table", table,
            "--key-column", "symbol", "--value-column", "price", "--key", "string", "--value", "double", "--slot", $"{table}_prices",
            "--max-delay-ms", "5", "--dir", _dir.Path);
        sidecar.WaitForContaining("is not a FixedString32"); // the 32-byte key: logged and skipped
        postgres.Execute($"UPDATE {table} SET price = 190 WHERE symbol = 'AAPL'; INSERT INTO {table} VALUES ('GOOG', 170); DELETE FROM {table} WHERE symbol = 'MSFT'");
        LeftRightReader<FixedString32, double>? reader = null;
        WriterServiceTests.WaitUntil(() =>
        {
            try
            {
                reader ??= LeftRightMap.OpenReader<FixedString32, double>("prices", _dir.Options);
            }
            catch (MapNotFoundException)
            {
                return false;
            }
            using ReadGuard<FixedString32, double> guard = reader.Guard();
            return guard.Count == 2 && guard.Get("AAPL") == 190 && guard.Get("GOOG") == 170;
        });
        reader!.Dispose();
        sidecar.Terminate();
        Assert.Equal(0, sidecar.WaitForExit());
    }

    [Fact]
    public void AConfiguredReplicaIsHealthyUntilItsSlotIsDropped()
    {
        string table = NewTable(rows: 20);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ShmMaps:Directory"] = _dir.Path,
            ["ShmMaps:Maps:configured:MaxDelay"] = "00:00:00.005",
            ["ShmMaps:Maps:configured:Postgres:ConnectionString"] = postgres.ConnectionString,
            ["ShmMaps:Maps:configured:Postgres:Table"] = $"public.{table}",
            ["ShmMaps:Maps:configured:Postgres:KeyColumn"] = "id",
            ["ShmMaps:Maps:configured:Postgres:ValueColumn"] = "price",
            ["ShmMaps:Maps:configured:Postgres:Slot"] = $"{table}_configured",
        }).Build();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(configuration.GetSection(ShmMapsOptions.SectionName)).AddPostgresReplica<long, double>("configured");
        using IHost host = builder.Build();
        host.Start();
        using var reader = WaitForMap("configured", _dir);
        WaitForTable(reader, table);
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, health.CheckHealthAsync().Result.Status);

        // Dropped under the running replica (its session ended first: an active slot cannot be dropped).
        WriterServiceTests.WaitUntil(() =>
        {
            try
            {
                postgres.Execute($"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '{table}_configured' AND active_pid IS NOT NULL; " +
                    $"SELECT pg_drop_replication_slot('{table}_configured')");
                return true;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.ObjectInUse)
            {
                return false;
            }
        });
        WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("configured");
        WriterServiceTests.WaitUntil(() => !status.WriterHeld);
        Assert.Contains("was dropped", status.Failure);
        HealthReport report = health.CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("was dropped", report.Entries["shmmap-configured"].Description);
    }

    [Fact]
    public void ATableThatLosesItsValueColumnStopsTheReplicaWithTheReason()
    {
        string table = NewTable(rows: 10);
        using IHost host = StartReplica("altered", table, _dir);
        using var reader = WaitForMap("altered", _dir);
        WaitForTable(reader, table);
        postgres.Execute($"ALTER TABLE {table} RENAME COLUMN price TO cost; INSERT INTO {table} VALUES (100, 1)");
        WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("altered");
        WriterServiceTests.WaitUntil(() => !status.WriterHeld);
        Assert.Contains("no longer has column 'price'", status.Failure);
        HealthReport report = host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        using (ReadGuard<long, double> guard = reader.Guard())
        {
            Assert.Equal(10, guard.Count); // readers keep what was published
        }
    }

    [Fact]
    public void AReplicaWhoseMapIsFullNeverConfirmsTheRowsItCouldNotStoreAndIsUnhealthyUntilItReloads()
    {
        string table = NewTable(rows: 10);
        using (IHost host = StartReplica("capped", table, _dir, capacity: 20, maxCapacity: 40))
        {
            using var reader = WaitForMap("capped", _dir);
            WaitForTable(reader, table);
            string confirmed = ConfirmedPosition($"{table}_capped");
            postgres.Execute($"INSERT INTO {table} SELECT g, g * 10 FROM generate_series(10, 999) g"); // far past what the map may hold
            WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("capped");
            WriterServiceTests.WaitUntil(() => status.Failure is not null);
            Assert.Contains("is full", status.Failure);
            HealthReport report = host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Result;
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.Contains("not confirmed", report.Entries["shmmap-capped"].Description);
            Thread.Sleep(1500); // the source reports its position every second: it must stay where it was
            Assert.Equal(confirmed, ConfirmedPosition($"{table}_capped"));
        }
        // The next start, with room, loads the table anew: no row the full map refused is lost.
        LeftRightMap.Delete("capped", _dir.Options);
        using (IHost again = StartReplica("capped", table, _dir, capacity: 2000))
        {
            using var reader = WaitForMap("capped", _dir);
            WaitForTable(reader, table);
        }
    }

    [Fact]
    public void SlotAndMarkerNamesOfDifferentMapsNeverMeet()
    {
        string[][] pairs = [["Prices", "prices"], ["eu.p", "eu-p"], ["a_b", "a.b"], [new string('m', 128), new string('m', 127) + "n"]];
        foreach (string[] pair in pairs)
        {
            string first = new PostgresSourceSettings().SlotFor(pair[0]);
            string second = new PostgresSourceSettings().SlotFor(pair[1]);
            Assert.NotEqual(first, second);
            Assert.All(new[] { first, second }, slot => Assert.Matches("^[a-z0-9_]{1,63}$", slot));
        }
        // A user's map cannot be a replica's marker: "prices.pg" is a map name, the marker "prices~pg" is not one.
        Assert.NotEqual("prices.pg", ReplicaMarker.NameFor("prices"));
        Assert.Throws<ArgumentException>(() => SeqArray<long>.Create("prices~pg~x", 1, _dir.Options));
        using var users = SeqArray<long>.Create("prices.pg", 1, _dir.Options);
        using var marker = ReplicaMarker.Open("prices", _dir.Options);
        Assert.Equal(2, Directory.GetFiles(_dir.Path).Length);
    }

    [Fact]
    public void ASlotNamedInTheSettingsThatTheMarkerDoesNotNameIsNeverDropped()
    {
        string table = NewTable(rows: 5);
        string slot = $"{table}_someone";
        postgres.Execute($"SELECT pg_create_logical_replication_slot('{slot}', 'pgoutput')"); // another replica's
        using IHost host = StartReplica("mine", table, _dir, slot: slot);
        WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("mine");
        WriterServiceTests.WaitUntil(() => status.Failure is not null);
        Assert.Contains("does not name it", status.Failure);
        Assert.Single(postgres.Rows($"SELECT slot_name, plugin FROM pg_replication_slots WHERE slot_name = '{slot}'"));
        postgres.Execute($"SELECT pg_drop_replication_slot('{slot}')");
    }

    [Fact]
    public void APasswordOnTheCommandLineIsRefusedAndThePasswordComesFromTheEnvironment()
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run(["sidecar", "--map", "m", "--postgres", "Host=db;Username=u;Password=secret;Database=d", "--table", "t",
            "--key-column", "id", "--value-column", "v", "--dir", _dir.Path], output, output);
        Assert.Equal(64, code);
        Assert.Contains("PGPASSWORD", output.ToString());
        Assert.DoesNotContain("secret", output.ToString());
        var help = new StringWriter();
        ShmMaps.Tool.Program.Run(["sidecar", "--help"], help, help);
        Assert.Contains("PGPASSWORD", help.ToString());
    }

    [Fact]
    public void ASidecarWhoseServerWantsAPasswordTakesItFromPgpassword()
    {
        string table = NewTable(rows: 30);
        string password = Guid.NewGuid().ToString("N");
        postgres.Execute($"DROP ROLE IF EXISTS {PostgresCluster.PasswordUser}; CREATE ROLE {PostgresCluster.PasswordUser} LOGIN SUPERUSER REPLICATION PASSWORD '{password}'");
        string connection = postgres.ConnectionString.Replace("Username=shm", $"Username={PostgresCluster.PasswordUser}", StringComparison.Ordinal);
        Assert.ThrowsAny<Npgsql.NpgsqlException>(() => new Npgsql.NpgsqlConnection(connection).Open()); // the server asks for it
        using var sidecar = ChildProcess.StartWith(new Dictionary<string, string> { ["PGPASSWORD"] = password }, "cli", "sidecar", "--map", "secret",
            "--postgres", connection, "--table", table, "--key-column", "id", "--value-column", "price", "--key", "long", "--value", "double",
            "--max-delay-ms", "5", "--dir", _dir.Path);
        using var reader = WaitForMap("secret", _dir);
        WaitForTable(reader, table);
        Assert.DoesNotContain(password, File.ReadAllText($"/proc/{sidecar.Pid}/cmdline"));
        sidecar.Terminate();
        Assert.Equal(0, sidecar.WaitForExit());
    }
}
