using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ShmMaps.Tests.Support;

/// <summary>
/// A private PostgreSQL cluster for the replication tests: <c>initdb</c> in a temporary directory, <c>wal_level=logical</c>,
/// a free loopback port, run as the <c>postgres</c> user when the tests run as root (PostgreSQL refuses root). Started once
/// for the tests that share it (<see cref="PostgresCollection"/>), stopped and removed after them; a cluster a killed test
/// run left behind is stopped and removed by the next run.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string Root = "/tmp/shmmaps-pg";
    private readonly string _bin;
    private readonly string? _runAs;

    public PostgresCluster()
    {
        _bin = FindBinaries();
        _runAs = Environment.UserName == "root" ? "postgres" : null;
        Directory.CreateDirectory(Root);
        SweepDeadRuns();
        DataDirectory = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(DataDirectory);
        if (_runAs is not null)
        {
            Run("chown", $"{_runAs} {DataDirectory}");
        }
        Port = FreePort();
        RunPostgres("initdb", $"-D {DataDirectory} -A trust -U shm --no-sync -E UTF8");
        // Every user but one is trusted; that one (PasswordUser) must give its password, as a production server asks.
        string hba = Path.Combine(DataDirectory, "pg_hba.conf");
        File.WriteAllText(hba, $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\nhost replication {PasswordUser} 127.0.0.1/32 scram-sha-256\n" + File.ReadAllText(hba));
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"), string.Join('\n',
            "wal_level = logical", "max_replication_slots = 40", "max_wal_senders = 40", "listen_addresses = '127.0.0.1'",
            $"port = {Port}", $"unix_socket_directories = '{DataDirectory}'", "fsync = off", "full_page_writes = off",
            "wal_sender_timeout = 5s", "max_connections = 200", ""));
        Start();
    }

    /// <summary>The one user whose connections need a password (the others are trusted).</summary>
    public const string PasswordUser = "shm_password";

    public string DataDirectory { get; }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=shm;Database=postgres;Pooling=false;Timeout=5;Command Timeout=60";

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public void Start()
    {
        RunPostgres("pg_ctl", $"-D {DataDirectory} -l {Path.Combine(DataDirectory, "server.log")} -w -t 60 start");
    }

    /// <summary>Stops the server (fast: open sessions are ended).</summary>
    public void Stop() => RunPostgres("pg_ctl", $"-D {DataDirectory} -m fast -w -t 60 stop");

    /// <summary>Runs SQL statements on a new connection.</summary>
    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>The rows of a two-column query, as key and value text.</summary>
    public Dictionary<string, string?> Rows(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        var rows = new Dictionary<string, string?>();
        while (reader.Read())
        {
            rows[reader.GetValue(0).ToString()!] = reader.IsDBNull(1) ? null : reader.GetValue(1).ToString();
        }
        return rows;
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>The server's binaries: installed from Debian by <c>.ci/install-postgres</c> if missing (as root).</summary>
    private static string FindBinaries()
    {
        string script = Path.Combine(Repository.Root, ".ci", "install-postgres");
        var start = new ProcessStartInfo("bash", script) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string bin = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL is needed by the replication tests: {script} failed: {error.Result.Trim()}");
        }
        return bin;
    }

    private void RunPostgres(string program, string arguments)
    {
        string path = Path.Combine(_bin, program);
        if (_runAs is null)
        {
            Run(path, arguments);
        }
        else
        {
            Run("runuser", $"-u {_runAs} -- {path} {arguments}");
        }
    }

    private static void Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish in 120 s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} exited {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops and removes the clusters of test processes that are gone.</summary>
    private void SweepDeadRuns()
    {
        foreach (string directory in Directory.EnumerateDirectories(Root))
        {
            string name = Path.GetFileName(directory);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || TempMapDirectory.IsRunning(pid))
            {
                continue;
            }
            try
            {
                if (File.Exists(Path.Combine(directory, "postmaster.pid")))
                {
                    RunPostgres("pg_ctl", $"-D {directory} -m immediate -w -t 30 stop");
                }
            }
            catch (InvalidOperationException)
            {
                // not running
            }
            Directory.Delete(directory, recursive: true);
        }
    }

}

/// <summary>The tests that share one <see cref="PostgresCluster"/> (run one after another).</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>;
