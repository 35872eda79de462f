using CommandLine;
using CommandLine.Text;

namespace ShmMaps.Tool.Verbs;

[Verb("create", HelpText = "Create a map: its kind, key and value types, and capacity.")]
internal sealed class CreateVerb : MapVerbOptions
{
    [Option("kind", Required = true, HelpText = nameof(KindHelp.Kinds), ResourceType = typeof(KindHelp))]
    public string Kind { get; set; } = "";

    [Option("key", HelpText = "The key type (seq, striped, leftright): sbyte, byte, short, ushort, int, uint, long, ulong, float, double, bool, char, guid, string32. A folklore map's keys are strings.")]
    public string? Key { get; set; }

    [Option("value", HelpText = "The value type, as --key (a folklore map's: short, ushort, int, uint or float: 2 or 4 bytes). A blob map's values are bytes of any length: no type.")]
    public string Value { get; set; } = "";

    [Option("capacity", Required = true, HelpText = "Entries it is made for (it grows past them); an array's length; a store's most elements.")]
    public long Capacity { get; set; }

    [Option("max-capacity", HelpText = "The most entries it may grow to (a vector's or store's most elements); default: as memory allows.")]
    public long? MaxCapacity { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
    [
        new("prices by id", new CreateVerb { Name = "prices", Kind = "seq", Key = "long", Value = "double", Capacity = 100_000 }),
        new("counters by name", new CreateVerb { Name = "hits", Kind = "folklore", Value = "int", Capacity = 10_000 }),
        new("a store of order quantities", new CreateVerb { Name = "orders", Kind = "rw", Value = "long", Capacity = 1_000 }),
        new("documents by key (strings, JSON, any bytes)", new CreateVerb { Name = "docs", Kind = "blob", Capacity = 100_000 }),
    ];
}

[Verb("load", HelpText = "Create a map from a dump (shm dump --format jsonl) and fill it.")]
internal sealed class LoadVerb : MapVerbOptions
{
    [Value(1, MetaName = "FILE", Required = true, HelpText = "The dump, or - for standard input.")]
    public string File { get; set; } = "";

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("a map from another machine's dump", new LoadVerb { Name = "prices-restored", File = "/tmp/prices.jsonl" })];
}

[Verb("copy", HelpText = "Copy a map, while its writers write, into a new map (a file as long as what it holds): each entry whole, the copy sound.")]
internal sealed class CopyVerb : MapVerbOptions
{
    [Value(1, MetaName = "NEWNAME", HelpText = "The copy's name (default: the map's own, with --to).")]
    public string? NewName { get; set; }

    [Option("to", HelpText = "The directory of the copy (default: the map's own).")]
    public string? To { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [new("a copy beside it", new CopyVerb { Name = "prices", NewName = "prices-backup" }), new("into another directory, under its own name", new CopyVerb { Name = "prices", To = "/tmp/shm-backups" })];
}
