using CommandLine;
using CommandLine.Text;

namespace ShmMaps.Tool.Verbs;

/// <summary>Options of verbs that name one key of one map.</summary>
internal class KeyVerbOptions : MapVerbOptions
{
    [Value(1, MetaName = "KEY", Required = true, HelpText = "The key, as text of the map's key type (an index for arrays and vectors, an id for stores).")]
    public string Key { get; set; } = "";
}

[Verb("get", HelpText = "Print the value of one key; exit code 5 if it is absent. A blob map's value prints as text when it is UTF-8 (JSON as it is), else as base64 after 'base64:'.")]
internal sealed class GetVerb : KeyVerbOptions
{
    [Option("hex", HelpText = "A blob map's value as hex.")]
    public bool Hex { get; set; }

    [Option("raw", HelpText = "A blob map's value as its bytes, to stdout.")]
    public bool Raw { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [new("the price of key 42", new GetVerb { Name = "prices", Key = "42" }), new("a counter by name", new GetVerb { Name = "hits", Key = "service-1/requests" })];
}

[Verb("set", HelpText = "Set one key to a value, adding it if absent (a LeftRightMap publishes the change). KEY 'new' appends to a SeqVec or inserts into an RwStore and prints the index or id.")]
internal sealed class SetVerb : KeyVerbOptions
{
    [Value(2, MetaName = "VALUE", HelpText = "The value, as text of the map's value type (a blob map: UTF-8 text, or base64 after 'base64:').")]
    public string? Value { get; set; }

    [Option("value-file", HelpText = "A blob map: the value is this file's bytes ('-': stdin).")]
    public string? ValueFile { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [
            new("set key 42", new SetVerb { Name = "prices", Key = "42", Value = "101.25" }),
            new("a counter by name", new SetVerb { Name = "hits", Key = "service-1/requests", Value = "1" }),
            new("insert into a store (prints the new element's id)", new SetVerb { Name = "orders", Key = "new", Value = "7" }),
        ];
}

[Verb("rm", HelpText = "Remove one key; exit code 5 if it was absent.")]
internal sealed class RmVerb : KeyVerbOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("remove key 42", new RmVerb { Name = "prices", Key = "42" })];
}
