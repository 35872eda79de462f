using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ShmMaps.Workload;

/// <summary>
/// Draws a results CSV with gnuplot: per mix, throughput against processes (a line per store, log scale) and the
/// latency percentiles of each store with one process (and with the most processes measured).
/// </summary>
internal static class Plots
{
    public static int Draw(string results, string output)
    {
        IReadOnlyList<ResultRow> rows = ResultRow.ReadAll(results);
        Directory.CreateDirectory(output);
        var script = new StringBuilder();
        var data = new List<string>();
        foreach (var group in rows.GroupBy(r => r.Group))
        {
            string throughput = Path.Combine(output, $"throughput-{group.Key}.png");
            string latency = Path.Combine(output, $"latency-{group.Key}.png");
            data.Add(Throughput(script, group.ToList(), throughput, output));
            data.Add(Latency(script, group.ToList(), latency, output));
            Console.WriteLine(throughput);
            Console.WriteLine(latency);
        }
        try
        {
            return RunGnuplot(script.ToString());
        }
        finally
        {
            data.ForEach(File.Delete);
        }
    }

    /// <summary>Operations per second against processes, a line per store.</summary>
    private static string Throughput(StringBuilder script, List<ResultRow> rows, string png, string output)
    {
        string data = Path.Combine(output, $".throughput-{rows[0].Group}.dat");
        var stores = rows.Select(r => r.Store).Distinct().ToList();
        var text = new StringBuilder();
        foreach (string store in stores)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# {store}");
            foreach (ResultRow row in rows.Where(r => r.Store == store).OrderBy(r => r.Processes))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{row.Processes} {row.OperationsPerSecond:F0}");
            }
            text.AppendLine().AppendLine();
        }
        File.WriteAllText(data, text.ToString());
        Header(script, png, $"Throughput: {rows[0].Title}");
        script.AppendLine("set xlabel 'processes'; set ylabel 'operations per second (all processes)'");
        script.AppendLine("set logscale xy 2; set logscale y 10; set format y '10^{%L}'; set key outside right");
        script.Append("plot ");
        script.AppendJoin(", ", stores.Select((store, i) => $"'{data}' index {i} using 1:2 with linespoints lw 2 lc rgb '{ColorOf(store)}' title '{store}'"));
        script.AppendLine();
        script.AppendLine("unset logscale; unset format");
        return data;
    }

    /// <summary>p50, p99 and p99.9 per store, with one process and with the most processes measured.</summary>
    private static string Latency(StringBuilder script, List<ResultRow> rows, string png, string output)
    {
        string data = Path.Combine(output, $".latency-{rows[0].Group}.dat");
        int most = rows.Max(r => r.Processes);
        var text = new StringBuilder();
        var picked = rows.Where(r => r.Processes == 1 || r.Processes == most).ToList();
        foreach (ResultRow row in picked)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"\"{row.Store} x{row.Processes}\" {Math.Max(1, row.P50)} {Math.Max(1, row.P99)} {Math.Max(1, row.P999)}");
        }
        File.WriteAllText(data, text.ToString());
        Header(script, png, $"Latency: {rows[0].Title}");
        script.AppendLine("set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1");
        script.AppendLine("set ylabel 'nanoseconds'; set logscale y 10; set format y '10^{%L}'; set xtics rotate by -40; set key top left; unset xlabel");
        script.AppendLine($"plot '{data}' using 2:xtic(1) title 'p50', '' using 3 title 'p99', '' using 4 title 'p99.9'");
        script.AppendLine("unset logscale; unset format; unset style data; set xtics norotate");
        return data;
    }

    /// <summary>A store's colour, the same in every chart: ShmMaps kinds in cool colours, the peers in warm ones.</summary>
    private static string ColorOf(string store) => store switch
    {
        "seqmap" => "#1f4e9c",
        "stripedmap" => "#2a9d8f",
        "folkloremap" => "#5ec2e8",
        "leftrightmap" => "#6a4c93",
        "rwstore" => "#3a86ff",
        "concurrentdictionary" => "#8d8d8d",
        "lmdb-held" => "#e76f51",
        "lmdb" => "#f4a261",
        "redis" => "#c1121f",
        "redis-pipelined" => "#ff758f",
        "naive" => "#8a5a00",
        _ => "#000000",
    };

    private static void Header(StringBuilder script, string png, string title)
    {
        script.AppendLine("set terminal pngcairo size 1100,600 font 'Sans,10'");
        script.AppendLine($"set output '{png}'");
        script.AppendLine($"set title \"{title}\"; set grid");
    }

    private static int RunGnuplot(string script)
    {
        var start = new ProcessStartInfo("gnuplot") { RedirectStandardInput = true, UseShellExecute = false };
        Process gnuplot;
        try
        {
            gnuplot = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("gnuplot is not installed: run bench/peers.sh install");
            return 69;
        }
        using (gnuplot)
        {
            gnuplot.StandardInput.Write(script);
            gnuplot.StandardInput.Close();
            gnuplot.WaitForExit();
            return gnuplot.ExitCode;
        }
    }
}
