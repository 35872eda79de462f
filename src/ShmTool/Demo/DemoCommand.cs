using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;
using Spectre.Console;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// <c>shm demo</c>: the way ShmMaps runs in production, for a few seconds. A sidecar process (<c>shm sidecar</c>)
/// follows a change file this process appends to and publishes it into a LeftRightMap; reader processes look keys
/// up through fresh read guards. A live table shows each reader's reads per second, the sidecar's publishes per
/// second and how long a line takes from the file to the readers; then the sidecar is stopped with SIGTERM, the map
/// checked, and everything removed.
/// </summary>
internal static class DemoCommand
{
    private const string MapName = "demo";

    public static int Run(DemoVerb verb, TextWriter output)
    {
        // With --json the table and the lines go nowhere; one JSON summary is printed at the end.
        TextWriter json = output;
        output = verb.Json ? TextWriter.Null : output;
        if (verb.Seconds < 1 || verb.Readers < 1 || verb.Keys < 1)
        {
            throw new ArgumentException("--seconds, --readers and --keys must be at least 1");
        }
        bool ownDirectory = verb.Directory is null;
        string directory = verb.Directory ?? Path.Combine(MapInspector.DirectoryOf(), $"demo-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        var options = new ShmOptions { Directory = directory };
        string feedPath = Path.Combine(directory, "demo-feed.csv");
        File.WriteAllText(feedPath, "");
        var processes = new List<Process>();
        var sidecarLog = new ConcurrentQueue<string>();
        try
        {
            Process sidecar = SelfProcess.Start(["sidecar", "--map", MapName, "--from", feedPath, "--follow", "--value", "long",
                "--dir", directory, "--capacity", (verb.Keys + 1L).ToString(CultureInfo.InvariantCulture),
                "--max-delay-ms", "1", "--max-batch", "2000", "--poll-ms", "1"]);
            processes.Add(sidecar);
            sidecar.OutputDataReceived += (_, e) => Keep(sidecarLog, e.Data);
            sidecar.BeginOutputReadLine();
            using LeftRightReader<long, long> watcher = WaitForMap(options, sidecar, sidecarLog);
            output.WriteLine($"LeftRightMap<long, long> '{MapName}' in {directory}: a sidecar (pid {sidecar.Id}) follows {feedPath}; " +
                $"{verb.Readers} reader processes, {verb.Keys:N0} keys, {verb.Seconds} s");

            var reports = new BlockingCollection<WorkerReport>();
            for (int id = 0; id < verb.Readers; id++)
            {
                Process reader = SelfProcess.Start(["demo-worker", "--role", "reader", "--map", MapName, "--dir", directory,
                    "--id", id.ToString(CultureInfo.InvariantCulture), "--keys", verb.Keys.ToString(CultureInfo.InvariantCulture),
                    "--seconds", verb.Seconds.ToString(CultureInfo.InvariantCulture)]);
                processes.Add(reader);
                reader.OutputDataReceived += (_, e) => Collect(e.Data, reports);
                reader.BeginOutputReadLine();
            }

            var feed = new DemoFeed(feedPath, verb.Keys);
            using var stopFeed = new CancellationTokenSource();
            var feeding = Task.Run(() => feed.Run(stopFeed.Token));
            var table = new DemoTable(output, verb.Readers);
            DemoRow total = table.Show(reports, watcher, feed, verb.Seconds);
            stopFeed.Cancel();
            feeding.Wait();

            bool readersOk = processes.Skip(1).All(p => p.WaitForExit(30_000) && p.ExitCode == 0);
            Signals.Terminate(sidecar.Id);
            bool sidecarOk = sidecar.WaitForExit(30_000) && sidecar.ExitCode == 0;
            ulong publishes;
            long keys;
            using (ReadGuard<long, long> guard = watcher.Guard())
            {
                (publishes, keys) = (guard.Sequence, guard.Count);
                output.WriteLine($"sidecar stopped with SIGTERM ({(sidecarOk ? "exit 0" : "FAILED")}): {feed.Lines:N0} lines written, " +
                    $"{publishes:N0} publishes, {keys:N0} keys in the map");
            }
            CheckReport check = MapInspector.Check(MapName, options);
            if (verb.Json)
            {
                Output.Json.Write(json, new
                {
                    seconds = verb.Seconds, readers = verb.Readers, readsPerSecond = total.ReadsPerSecond, visibleP50 = total.VisibleP50,
                    worstVisibleP99 = total.VisibleP99, linesWritten = feed.Lines, publishes, keys, sidecarExit = sidecarOk ? 0 : 1, readersOk, check = check.IsSound,
                });
            }
            output.WriteLine(check.IsSound ? $"check: ok ({check.Examined:N0} cells and reader slots)" : $"check: {string.Join("; ", check.Problems)}");
            if (!sidecarOk)
            {
                output.WriteLine("sidecar log: " + string.Join(Environment.NewLine, sidecarLog.TakeLast(20)));
            }
            return check.IsSound && readersOk && sidecarOk ? 0 : 1;
        }
        finally
        {
            foreach (Process process in processes.Where(p => !p.HasExited))
            {
                process.Kill();
            }
            if (ownDirectory)
            {
                Directory.Delete(directory, recursive: true);
            }
            else
            {
                MapInspector.Delete(MapName, options);
                File.Delete(feedPath);
            }
        }
    }

    /// <summary>The sidecar creates the map; readers can start once it exists.</summary>
    private static LeftRightReader<long, long> WaitForMap(ShmOptions options, Process sidecar, ConcurrentQueue<string> log)
    {
        long deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                return LeftRightMap.OpenReader<long, long>(MapName, options);
            }
            catch (MapNotFoundException) when (Stopwatch.GetTimestamp() < deadline && !sidecar.HasExited)
            {
                Thread.Sleep(10);
            }
            catch (MapNotFoundException)
            {
                throw new ShmMapException($"the sidecar did not create the map: {string.Join(" | ", log.TakeLast(10))}");
            }
        }
    }

    private static void Keep(ConcurrentQueue<string> log, string? line)
    {
        if (line is null)
        {
            return;
        }
        log.Enqueue(line);
        while (log.Count > 100)
        {
            log.TryDequeue(out _);
        }
    }

    private static void Collect(string? line, BlockingCollection<WorkerReport> reports)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        try
        {
            if (JsonSerializer.Deserialize<WorkerReport>(line, Json.Compact) is { } report)
            {
                reports.Add(report);
            }
        }
        catch (JsonException)
        {
            // Not a report line: ignore.
        }
    }
}
