using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ShmMaps.Hosting;

namespace ShmMaps.Workload;

/// <summary>
/// A map kept a replica of a PostgreSQL table (<see cref="PostgresChangeSource{TKey, TValue}"/> in a host in this process):
/// the snapshot's load rate, then, while this process commits single-row updates at a set rate, a reader process's
/// staleness from each update's commit to its seeing the value, and its lookups per second meanwhile.
/// </summary>
/// <remarks>
/// Each update writes into key <c>i % hot</c> the <see cref="Stopwatch"/> timestamp taken just before its statement (one
/// autocommitted statement: the commit); the reader scans the hot keys over and over and, for each value it has not
/// seen, records now minus it (the monotonic clock is the same in every process of the host).
/// </remarks>
internal static class ReplicaBench
{
    private const string Table = "shmmaps_bench_replica";
    private const string Map = "replica";

    public static int Run(string connection, long rows, int rate, double seconds, int hot, string directory)
    {
        var options = new ShmOptions { Directory = directory };
        Execute(connection, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id bigint PRIMARY KEY, value double precision); " +
            $"INSERT INTO {Table} SELECT g, 0 FROM generate_series(0, {rows - 1}) g");
        Execute(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'shmmaps_bench_replica'");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {rows:N0} rows, {rate:N0} commits/s for {seconds} s, {hot} hot keys");
        long start = Stopwatch.GetTimestamp();
        using IHost host = StartReplica(connection, directory);
        LeftRightReader<long, double> reader = WaitForMap(options);
        while (true)
        {
            using (ReadGuard<long, double> guard = reader.Guard())
            {
                if (guard.Count >= rows)
                {
                    break;
                }
            }
            Thread.Sleep(1);
        }
        TimeSpan load = Stopwatch.GetElapsedTime(start);
        reader.Dispose();
        Console.WriteLine($"snapshot: {rows:N0} rows readable in {load.TotalSeconds:F2} s ({rows / load.TotalSeconds:N0} rows/s, from the host's start)");

        using Process staleness = StartReader(directory, hot, seconds + 2);
        Thread.Sleep(500); // the reader is scanning before the first commit
        LongHistogram commitTimes = Commit(connection, rate, seconds, hot);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"committed {commitTimes.TotalCount:N0} updates in {seconds} s; the statement's own round trip (commit included): p50 {Ms(commitTimes, 50)} ms, p99 {Ms(commitTimes, 99)} ms"));
        string report = staleness.StandardOutput.ReadToEnd();
        staleness.WaitForExit();
        Console.Write(report);
        host.StopAsync().Wait();
        Execute(connection, $"DROP TABLE {Table}");
        Execute(connection, "SELECT pg_drop_replication_slot('shmmaps_bench_replica')");
        return 0;
    }

    /// <summary>The reader process: scans keys 0 .. hot - 1 for <paramref name="seconds"/>; prints staleness and lookups per second.</summary>
    public static int Read(string directory, int hot, double seconds)
    {
        using LeftRightReader<long, double> reader = LeftRightMap.OpenReader<long, double>(Map, new ShmOptions { Directory = directory });
        var seen = new double[hot];
        using (ReadGuard<long, double> guard = reader.Guard())
        {
            for (int key = 0; key < hot; key++)
            {
                seen[key] = guard.Get(key) ?? 0;
            }
        }
        var histogram = new LongHistogram(TimeSpan.FromSeconds(60).Ticks * 100, 3);
        long lookups = 0;
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            using ReadGuard<long, double> guard = reader.Guard();
            for (int key = 0; key < hot; key++)
            {
                double value = guard.Get(key) ?? 0;
                if (value != seen[key])
                {
                    seen[key] = value;
                    long nanoseconds = (long)((Stopwatch.GetTimestamp() - (long)value) * (1e9 / Stopwatch.Frequency));
                    histogram.RecordValue(Math.Max(0, nanoseconds));
                }
            }
            lookups += hot;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"staleness, commit to reader process: p50 {Ms(histogram, 50)} ms, p99 {Ms(histogram, 99)} ms, p99.9 {Ms(histogram, 99.9)} ms, max {histogram.GetMaxValue() / 1e6:F2} ms ({histogram.TotalCount:N0} updates seen)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reader process while replicating: {lookups / seconds / 1e6:F1} M lookups/s (one thread)"));
        return 0;
    }

    private static string Ms(LongHistogram histogram, double percentile) =>
        (histogram.GetValueAtPercentile(percentile) / 1e6).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Commits single-row updates at <paramref name="rate"/> per second; the time each took.</summary>
    private static LongHistogram Commit(string connection, int rate, double seconds, int hot)
    {
        var times = new LongHistogram(TimeSpan.FromSeconds(60).Ticks * 100, 3);
        using var sql = new NpgsqlConnection(connection);
        sql.Open();
        using var update = new NpgsqlCommand($"UPDATE {Table} SET value = @v WHERE id = @k", sql);
        NpgsqlParameter value = update.Parameters.Add("v", NpgsqlTypes.NpgsqlDbType.Double);
        NpgsqlParameter key = update.Parameters.Add("k", NpgsqlTypes.NpgsqlDbType.Bigint);
        update.Prepare();
        long begin = Stopwatch.GetTimestamp();
        long count = (long)(rate * seconds);
        for (long i = 0; i < count; i++)
        {
            long due = begin + (long)(i * (double)Stopwatch.Frequency / rate);
            long wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency)); // sleeping, not spinning: the 2 cores are the sidecar's and the reader's
            }
            key.Value = i % hot;
            long sent = Stopwatch.GetTimestamp();
            value.Value = (double)sent;
            update.ExecuteNonQuery();
            times.RecordValue((long)((Stopwatch.GetTimestamp() - sent) * (1e9 / Stopwatch.Frequency)));
        }
        return times;
    }

    private static IHost StartReplica(string connection, string directory)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.Services.AddShmMaps(options =>
        {
            options.Directory = directory;
            options.Maps[Map] = new ShmMapSettings
            {
                Capacity = 1_000,
                MaxDelay = TimeSpan.Zero,
                Postgres = new PostgresSourceSettings
                {
                    ConnectionString = connection,
                    Table = Table,
                    KeyColumn = "id",
                    ValueColumn = "value",
                    Slot = "shmmaps_bench_replica",
                },
            };
        }).AddPostgresReplica<long, double>(Map);
        IHost host = builder.Build();
        host.Start();
        return host;
    }

    private static LeftRightReader<long, double> WaitForMap(ShmOptions options)
    {
        while (true)
        {
            try
            {
                return LeftRightMap.OpenReader<long, double>(Map, options);
            }
            catch (MapNotFoundException)
            {
                Thread.Sleep(1);
            }
        }
    }

    private static Process StartReader(string directory, int hot, double seconds)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ReplicaBench).Assembly.Location);
        }
        foreach (string argument in new[] { "replica-reader", "--dir", directory, "--hot", hot.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    private static void Execute(string connection, string sql)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = new NpgsqlCommand(sql, db);
        command.ExecuteNonQuery();
    }
}
