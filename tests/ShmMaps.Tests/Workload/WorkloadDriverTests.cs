using System.Diagnostics;
using System.Globalization;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Workload;

/// <summary>
/// The benchmark driver (<c>bench/ShmMaps.Workload</c>) end to end, with the stores that need nothing installed: it
/// starts worker processes, merges their reports into a CSV, and draws it.
/// </summary>
public sealed class WorkloadDriverTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    [Fact]
    public void Measures_every_store_and_process_count_into_one_csv_row_each()
    {
        string csv = Path.Combine(_dir.Path, "results.csv");
        (int exit, string output) = Driver("run", "--stores", "seqmap,stripedmap,rwstore,naive,concurrentdictionary,leftrightmap",
            "--mixes", "read95", "--keys", "1000", "--processes", "1,2", "--seconds", "0.2", "--rounds", "2",
            "--dir", Path.Combine(_dir.Path, "maps"), "--out", csv);

        Assert.True(exit == 0, output);
        Assert.Contains("leftrightmap: skipped (one writer: its readers only read)", output);
        string[] lines = File.ReadAllLines(csv);
        Assert.StartsWith("store,mix,distribution,keys,value_bytes,processes,ops_per_s", lines[0]);
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(10, rows.Count);
        foreach (string store in new[] { "seqmap", "stripedmap", "rwstore", "naive", "concurrentdictionary" })
        {
            Assert.Equal(["1", "2"], rows.Where(r => r[0] == store).Select(r => r[5]).Order());
        }
        foreach (string[] row in rows)
        {
            double opsPerSecond = double.Parse(row[6], CultureInfo.InvariantCulture);
            Assert.True(opsPerSecond > 1000, $"{row[0]} x{row[5]}: {opsPerSecond} ops/s");
            Assert.True(long.Parse(row[9], CultureInfo.InvariantCulture) <= long.Parse(row[10], CultureInfo.InvariantCulture), $"{row[0]}: p50 > p99");
            Assert.True(long.Parse(row[12], CultureInfo.InvariantCulture) > 1000 * 8, $"{row[0]}: memory {row[12]} is less than the values");
            Assert.Equal("2", row[15]);
            Assert.InRange(opsPerSecond, double.Parse(row[16], CultureInfo.InvariantCulture), double.Parse(row[17], CultureInfo.InvariantCulture));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir.Path, "maps")));

        (int summaryExit, string summary) = Driver("summary", csv);
        Assert.True(summaryExit == 0, summary);
        Assert.Contains("| store | Read95 | bytes per entry |", summary);
        Assert.Contains("| store | 1 process | 2 processes | 2 / 1 |", summary);
        var storeLines = summary.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| store", StringComparison.Ordinal));
        Assert.Equal(2 * 5, storeLines.Count()); // five stores in each of the two tables
    }

    [Fact]
    public void Measures_the_shared_cache_beside_the_in_process_one_through_IDistributedCache()
    {
        string csv = Path.Combine(_dir.Path, "results.csv");
        (int exit, string output) = Driver("run", "--stores", "cache-shm,cache-memory", "--mixes", "read50,increment", "--keys", "200",
            "--value-sizes", "1024", "--processes", "1,2", "--seconds", "0.2", "--dir", Path.Combine(_dir.Path, "maps"), "--out", csv);

        Assert.True(exit == 0, output);
        Assert.Contains("cache-shm: skipped (a cache has no increment)", output);
        var rows = File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(["cache-memory", "cache-memory", "cache-shm", "cache-shm"], rows.Select(row => row[0]).Order());
        Assert.All(rows, row => Assert.True(double.Parse(row[6], CultureInfo.InvariantCulture) > 1000, $"{row[0]} x{row[5]}: {row[6]} ops/s"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir.Path, "maps")));
    }

    [Fact]
    public void Runs_increments_by_zipfian_keys_on_the_stores_that_have_them_and_skips_the_rest()
    {
        string csv = Path.Combine(_dir.Path, "results.csv");
        (int exit, string output) = Driver("run", "--stores", "stripedmap,folkloremap,seqmap", "--mixes", "increment",
            "--distributions", "zipfian", "--keys", "100", "--processes", "2", "--seconds", "0.2",
            "--dir", Path.Combine(_dir.Path, "maps"), "--out", csv);

        Assert.True(exit == 0, output);
        Assert.Contains("seqmap: skipped (no atomic read-modify-write (use stripedmap))", output);
        Assert.Equal(["folkloremap", "stripedmap"], File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',')[0]).Order());
    }

    [Fact]
    public void Plots_a_results_file_or_says_gnuplot_is_missing()
    {
        string csv = Path.Combine(_dir.Path, "results.csv");
        Assert.Equal(0, Driver("run", "--stores", "seqmap", "--keys", "100", "--processes", "1,2", "--seconds", "0.1",
            "--dir", Path.Combine(_dir.Path, "maps"), "--out", csv).Exit);
        string pictures = Path.Combine(_dir.Path, "docs");

        (int exit, string output) = Driver("plot", csv, "--out", pictures);

        if (exit == 69)
        {
            Assert.Contains("gnuplot is not installed", output);
            return;
        }
        Assert.True(exit == 0, output);
        Assert.Equal(["latency-read100-uniform-100-8b.png", "throughput-read100-uniform-100-8b.png"],
            Directory.GetFiles(pictures).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(pictures), png => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]));
    }

    [Fact]
    public void Refuses_a_file_that_is_not_a_results_file()
    {
        string csv = Path.Combine(_dir.Path, "other.csv");
        File.WriteAllText(csv, "a,b,c\n1,2,3\n");

        (int exit, string output) = Driver("plot", csv, "--out", Path.Combine(_dir.Path, "docs"));

        Assert.NotEqual(0, exit);
        Assert.Contains("not a workload results file", output);
    }

    public void Dispose() => _dir.Dispose();

    private static (int Exit, string Output) Driver(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ShmMaps.Workload.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var driver = Process.Start(start)!;
        Task<string> errors = driver.StandardError.ReadToEndAsync();
        string output = driver.StandardOutput.ReadToEnd();
        if (!driver.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            driver.Kill(entireProcessTree: true);
            throw new TimeoutException($"the workload driver did not finish in 3 minutes: {output}");
        }
        return (driver.ExitCode, output + errors.Result);
    }
}
