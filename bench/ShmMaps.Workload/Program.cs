using System.Globalization;
using CommandLine;

namespace ShmMaps.Workload;

/// <summary>
/// The multi-process workload driver: <c>dotnet run -c Release --project bench/ShmMaps.Workload -- run --stores seqmap,lmdb-held
/// --mixes read100 --keys 1000000 --processes 1,2,4</c>. Each measurement is printed and appended to a CSV file;
/// <c>plot</c> draws the CSV as PNG charts with gnuplot.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        using var parser = new Parser(settings => settings.HelpWriter = Console.Error);
        return parser.ParseArguments<RunVerb, WorkerVerb, PlotVerb, SummaryVerb, GrowthVerb, GrowthReaderVerb, ReplicaVerb, ReplicaReaderVerb, HitRatioVerb>(args).MapResult(
            (RunVerb verb) => RunAll(verb),
            (WorkerVerb verb) => Worker.Run(verb.ToSpec(), verb.Id),
            (PlotVerb verb) => Plot(verb),
            (SummaryVerb verb) => Summarize(verb),
            (GrowthVerb verb) => Growth(verb),
            (GrowthReaderVerb verb) => GrowthBench.Reader(verb.Directory, GrowingKind.Named(verb.Kind)),
            (ReplicaVerb verb) => Replica(verb),
            (ReplicaReaderVerb verb) => ReplicaBench.Read(verb.Directory, verb.Hot, verb.Seconds),
            (HitRatioVerb verb) => HitRatio(verb),
            _ => 64);
    }

    private static int Plot(PlotVerb verb)
    {
        try
        {
            return Plots.Draw(verb.Results, verb.Output);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 65;
        }
    }

    private static int Growth(GrowthVerb verb)
    {
        string directory = RunDirectory.Create("shmmaps-growth");
        try
        {
            IReadOnlyList<GrowingKind> kinds = verb.Kind is null ? GrowingKind.All : [GrowingKind.Named(verb.Kind)];
            return GrowthBench.Run(verb.Keys, verb.Rounds, verb.Seconds, directory, kinds);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Replica(ReplicaVerb verb)
    {
        string directory = RunDirectory.Create("shmmaps-replica");
        try
        {
            return ReplicaBench.Run(verb.Postgres, verb.Rows, verb.Rate, verb.Seconds, verb.Hot, directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int HitRatio(HitRatioVerb verb)
    {
        string directory = RunDirectory.Create("shmmaps-hit-ratio");
        try
        {
            return HitRatioBench.Run(verb.Keys, verb.Requests, verb.ValueBytes, [.. verb.Budgets], directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Summarize(SummaryVerb verb)
    {
        try
        {
            return Summary.Write([.. verb.Results], Console.Out);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 65;
        }
    }

    private static int RunAll(RunVerb verb)
    {
        string directory = verb.Directory ?? RunDirectory.Create("shmmaps-workload");
        string output = verb.Output ?? Path.Combine("bench", "results", $"workload-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        bool header = !File.Exists(output);
        using var csv = new StreamWriter(output, append: true);
        if (header)
        {
            csv.WriteLine(WorkloadResult.CsvHeader);
        }
        Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; results in {output}");
        Console.WriteLine($"latencies exclude the clock's own cost, {WorkerLoop.ClockCost} ns here");
        int failures = 0;
        try
        {
            var groups =
                from keys in verb.Keys
                from valueSize in verb.ValueSizes
                from distribution in verb.Distributions
                from mix in verb.Mixes.Select(m => Enum.Parse<Mix>(m, ignoreCase: true))
                select verb.Stores.Select(store => new RunSpec(store, mix, distribution, keys, valueSize, 1, verb.Seconds, directory, verb.MaxLoad)).ToList();
            foreach (List<RunSpec> group in groups)
            {
                RunSpec first = group[0];
                Console.WriteLine($"{first.Mix} {first.Distribution} {first.Keys:N0} keys {first.ValueSize} B, {verb.Rounds} round(s):");
                Coordinator.GroupOutcome outcome = Coordinator.Measure(group, [.. verb.ProcessCounts()], verb.Rounds);
                foreach ((string store, string why) in outcome.Skipped)
                {
                    Console.WriteLine($"  {store}: skipped ({why})");
                }
                foreach ((RunSpec spec, Exception error) in outcome.Failures)
                {
                    failures++;
                    Console.WriteLine($"  {spec}: failed: {error.Message}");
                }
                Console.WriteLine("  medians:");
                foreach (WorkloadResult result in outcome.Results)
                {
                    Console.WriteLine("  " + result.ToLine());
                    foreach (string line in result.ToProcessLines())
                    {
                        Console.WriteLine("  " + line);
                    }
                    csv.WriteLine(result.ToCsv());
                }
                csv.Flush();
            }
        }
        finally
        {
            if (verb.Directory is null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        return failures == 0 ? 0 : 1;
    }
}

[Verb("run", isDefault: true, HelpText = "Measure stores under mixes, each by 1..N processes.")]
internal sealed class RunVerb
{
    [Option("stores", Separator = ',', HelpText = "Stores (default: all): seqmap, stripedmap, folkloremap, leftrightmap, rwstore, blobmap, concurrentdictionary, lmdb-held, lmdb, redis, redis-pipelined, naive.")]
    public IEnumerable<string> StoresOption { get; set; } = [];

    [Option("mixes", Separator = ',', Default = new[] { "read100" }, HelpText = "read100, read95, read50, increment.")]
    public IEnumerable<string> Mixes { get; set; } = [];

    [Option("distributions", Separator = ',', Default = new[] { "uniform" }, HelpText = "uniform, zipfian.")]
    public IEnumerable<string> Distributions { get; set; } = [];

    [Option("keys", Separator = ',', Default = new[] { 1_000_000L }, HelpText = "Key counts.")]
    public IEnumerable<long> Keys { get; set; } = [];

    [Option("value-sizes", Separator = ',', Default = new[] { 8 }, HelpText = "8 and/or 100.")]
    public IEnumerable<int> ValueSizes { get; set; } = [];

    [Option("processes", Separator = ',', HelpText = "Process counts (default: 1, 2, 4, ... up to the cores, and twice the cores).")]
    public IEnumerable<int> Processes { get; set; } = [];

    [Option("seconds", Default = 3.0, HelpText = "How long each process runs each measurement.")]
    public double Seconds { get; set; }

    [Option("rounds", Default = 1, HelpText = "Measure every store and process count this many times, in turns; report the median.")]
    public int Rounds { get; set; }

    [Option("max-load", HelpText = "The MaxLoad ShmMaps tables are created with (default: the library's).")]
    public double? MaxLoad { get; set; }

    [Option("dir", HelpText = "Where file-backed stores live (default: a fresh directory on /dev/shm, removed after).")]
    public string? Directory { get; set; }

    [Option("out", HelpText = "The CSV file results are appended to (default: bench/results/workload-DATE.csv).")]
    public string? Output { get; set; }

    public IEnumerable<string> Stores => StoresOption.Any() ? StoresOption : ShmMaps.Workload.Stores.All.Select(k => k.Name);

    public IEnumerable<int> ProcessCounts()
    {
        if (Processes.Any())
        {
            return Processes;
        }
        var counts = new List<int>();
        for (int n = 1; n <= Environment.ProcessorCount; n *= 2)
        {
            counts.Add(n);
        }
        counts.Add(Environment.ProcessorCount * 2);
        return counts.Distinct();
    }
}

[Verb("growth", HelpText = "What growing costs SeqMap, StripedMap, FolkloreMap and LeftRightMap: inserts into a map created small, a reader process's latency while it grows.")]
internal sealed class GrowthVerb
{
    [Option("kind", HelpText = "seqmap, stripedmap or folkloremap (default: all three).")]
    public string? Kind { get; set; }

    [Option("keys", Default = 1_000_000L, HelpText = "Keys to grow to.")]
    public long Keys { get; set; }

    [Option("rounds", Default = 4, HelpText = "Rounds: an even number (the insert ratio pairs a round with the grown map first with one with it second).")]
    public int Rounds { get; set; }

    [Option("seconds", Default = 2.0, HelpText = "How long the reader measures the grown map.")]
    public double Seconds { get; set; }
}

[Verb("replica", HelpText = "A map replicating a PostgreSQL table: snapshot load rate, commit-to-reader staleness, reads while replicating.")]
internal sealed class ReplicaVerb
{
    [Option("postgres", Required = true, HelpText = "An Npgsql connection string (the role needs REPLICATION; the server wal_level=logical).")]
    public string Postgres { get; set; } = "";

    [Option("rows", Default = 100_000L, HelpText = "Rows of the table loaded as the snapshot.")]
    public long Rows { get; set; }

    [Option("rate", Default = 1_000, HelpText = "Single-row update commits per second.")]
    public int Rate { get; set; }

    [Option("seconds", Default = 10.0, HelpText = "How long to commit.")]
    public double Seconds { get; set; }

    [Option("hot", Default = 1_000, HelpText = "The keys the updates cycle through (and the reader scans).")]
    public int Hot { get; set; }
}

[Verb("hit-ratio", HelpText = "A BlobMap held to a byte budget against exact LRU of the same bytes: hit ratios on Zipfian traces, with and without one-time scans.")]
internal sealed class HitRatioVerb
{
    [Option("keys", Default = 100_000L, HelpText = "The key space.")]
    public long Keys { get; set; }

    [Option("requests", Default = 1_000_000L, HelpText = "Requests a trace (scans come on top).")]
    public long Requests { get; set; }

    [Option("value-bytes", Default = 1024, HelpText = "Each value's bytes.")]
    public int ValueBytes { get; set; }

    [Option("budgets", Separator = ',', Default = new[] { 0.01, 0.1 }, HelpText = "Budgets as shares of the key space's bytes.")]
    public IEnumerable<double> Budgets { get; set; } = [];
}

[Verb("replica-reader", Hidden = true)]
internal sealed class ReplicaReaderVerb
{
    [Option("dir", Required = true)]
    public string Directory { get; set; } = "";

    [Option("hot", Required = true)]
    public int Hot { get; set; }

    [Option("seconds", Required = true)]
    public double Seconds { get; set; }
}

[Verb("growth-reader", Hidden = true)]
internal sealed class GrowthReaderVerb
{
    [Option("kind", Required = true)]
    public string Kind { get; set; } = "";

    [Option("dir", Required = true)]
    public string Directory { get; set; } = "";
}

[Verb("worker", Hidden = true)]
internal sealed class WorkerVerb
{
    [Option("id", Required = true)]
    public int Id { get; set; }

    [Option("store", Required = true)]
    public string Store { get; set; } = "";

    [Option("mix", Required = true)]
    public string Mix { get; set; } = "";

    [Option("distribution", Required = true)]
    public string Distribution { get; set; } = "";

    [Option("keys", Required = true)]
    public long Keys { get; set; }

    [Option("value-size", Required = true)]
    public int ValueSize { get; set; }

    [Option("processes", Required = true)]
    public int Processes { get; set; }

    [Option("seconds", Required = true)]
    public double Seconds { get; set; }

    [Option("dir", Required = true)]
    public string Directory { get; set; } = "";

    [Option("max-load")]
    public double? MaxLoad { get; set; }

    public RunSpec ToSpec() => new(Store, Enum.Parse<Mix>(Mix), Distribution, Keys, ValueSize, Processes, Seconds, Directory, MaxLoad);
}

[Verb("plot", HelpText = "Draw a results CSV as PNG charts (gnuplot).")]
internal sealed class PlotVerb
{
    [Value(0, MetaName = "CSV", Required = true)]
    public string Results { get; set; } = "";

    [Option("out", Default = "docs", HelpText = "The directory the PNG files go to.")]
    public string Output { get; set; } = "docs";
}

[Verb("summary", HelpText = "Print results CSV files as Markdown tables: stores by mix, and by process count.")]
internal sealed class SummaryVerb
{
    [Value(0, MetaName = "CSV", Min = 1, Required = true)]
    public IEnumerable<string> Results { get; set; } = [];
}
