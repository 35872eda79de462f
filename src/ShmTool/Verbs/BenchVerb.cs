using CommandLine;
using CommandLine.Text;

namespace ShmMaps.Tool.Verbs;

[Verb("bench", HelpText = "A quick benchmark of each kind on this machine (a lookup and an update, one thread), in ns/op beside ConcurrentDictionary in the same run.")]
internal sealed class BenchVerb
{
    [Value(0, MetaName = "KIND", HelpText = "Only the kinds whose name contains this (seqmap, striped, folklore, leftright, rwstore).")]
    public string? Kind { get; set; }

    [Option("keys", Default = 100_000, HelpText = "Entries in each map.")]
    public int Keys { get; set; }

    [Option("seconds", Default = 1.0, HelpText = "How long each case runs.")]
    public double Seconds { get; set; }

    [Option("dir", HelpText = "Where the benchmark's maps are made (a fresh directory under it, removed after; default: the map directory).")]
    public string? Directory { get; set; }

    [Option("json", HelpText = "Print JSON for scripts.")]
    public bool Json { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [new("every kind", new BenchVerb()), new("only SeqMap, a million keys", new BenchVerb { Kind = "seqmap", Keys = 1_000_000 })];
}
