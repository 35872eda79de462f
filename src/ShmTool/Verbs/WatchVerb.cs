using CommandLine;
using CommandLine.Text;

namespace ShmMaps.Tool.Verbs;

[Verb("watch", HelpText = "A live view of a map: count, capacity used, writes or publishes per second, lanes or reader slots and their processes, dead holders. Ctrl+C to stop.")]
internal sealed class WatchVerb : MapVerbOptions
{
    [Option("once", HelpText = "Take two samples an interval apart, print one view (with --json: for scripts) and stop.")]
    public bool Once { get; set; }

    [Option("interval", Default = 1000, HelpText = "Milliseconds between refreshes (the rates are over this).")]
    public int IntervalMilliseconds { get; set; }

    [Option("count", Default = 0, HelpText = "Stop after this many refreshes (0: until Ctrl+C).")]
    public int Count { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [new("watch a map", new WatchVerb { Name = "prices" }), new("one view for a script", new WatchVerb { Name = "prices", Once = true, Json = true })];
}
