using CommandLine;
using CommandLine.Text;

namespace ShmMaps.Tool.Verbs;

[Verb("list", HelpText = "List the maps in a directory.")]
internal sealed class ListVerb : DirectoryOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("the maps of the default directory", new ListVerb()), new("as JSON", new ListVerb { Json = true })];
}

[Verb("info", HelpText = "Describe a map: kind, types, capacity, count, memory, writer lanes and their processes.")]
internal sealed class InfoVerb : MapVerbOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("describe a map", new InfoVerb { Name = "prices" })];
}

[Verb("dump", HelpText = "Print a map's entries, decoded from the type names in its header.")]
internal sealed class DumpVerb : MapVerbOptions
{
    [Option("format", Default = "table", HelpText = "table, json, csv, or jsonl: the map's kind and types, then an entry per line (what shm load reads).")]
    public string Format { get; set; } = "table";

    [Option("limit", Default = 0L, HelpText = "Print at most this many entries (0: all).")]
    public long Limit { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("the first 10 entries as CSV", new DumpVerb { Name = "prices", Format = "csv", Limit = 10 }),
        new("every entry, for shm load (here or on another machine)", new DumpVerb { Name = "prices", Format = "jsonl" })];
}

[Verb("check", HelpText = "Verify every invariant of a map; exit code 1 if any is violated.")]
internal sealed class CheckVerb : MapVerbOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("check a map", new CheckVerb { Name = "prices" })];
}

[Verb("recover", HelpText = "Release the locks of dead processes (restoring half-done writes), then check.")]
internal sealed class RecoverVerb : MapVerbOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("recover a map of another user, as root", new RecoverVerb { Name = "prices", AnyOwner = true })];
}

[Verb("delete", HelpText = "Delete a map's file (processes that have it open keep their mapping).")]
internal sealed class DeleteVerb : MapVerbOptions
{
    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("delete a map", new DeleteVerb { Name = "prices" })];
}

[Verb("demo", HelpText = "A sidecar process publishing a followed file into a LeftRightMap, reader processes reading it: a live table.")]
internal sealed class DemoVerb
{
    [Option("seconds", Default = 5, HelpText = "How long the readers run.")]
    public int Seconds { get; set; }

    [Option("readers", Default = 2, HelpText = "Reader processes.")]
    public int Readers { get; set; }

    [Option("keys", Default = 100_000, HelpText = "Keys in the map.")]
    public int Keys { get; set; }

    [Option("dir", HelpText = "Map directory (default: a fresh temporary one under the default directory).")]
    public string? Directory { get; set; }

    [Option("json", HelpText = "Print one JSON summary at the end instead of the table.")]
    public bool Json { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples => [new("ten seconds, four readers", new DemoVerb { Seconds = 10, Readers = 4 })];
}

[Verb("demo-worker", Hidden = true, HelpText = "A worker process of the demo.")]
internal sealed class DemoWorkerVerb
{
    [Option("role", Required = true)]
    public string Role { get; set; } = "";

    [Option("map", Required = true)]
    public string Map { get; set; } = "";

    [Option("dir", Required = true)]
    public string Directory { get; set; } = "";

    [Option("id", Default = 0)]
    public int Id { get; set; }

    [Option("keys", Default = 100_000)]
    public int Keys { get; set; }

    [Option("seconds", Default = 5)]
    public int Seconds { get; set; }
}

[Verb("sidecar", HelpText = "Keep a map filled from a file of key,value (or JSON) lines, or a replica of a PostgreSQL table: a LeftRightMap<long|FixedString32, long|double>, or a BlobMap of strings, JSON or rows; Ctrl+C or SIGTERM to stop.")]
internal sealed class SidecarVerb
{
    [Option("map", Required = true, HelpText = "The map to write (created if it does not exist).")]
    public string Map { get; set; } = "";

    [Option("from", HelpText = "The change file: key,value lines (key, removes) or JSON lines {\"key\":..,\"value\":..}. Either this or --postgres.")]
    public string? From { get; set; }

    [Option("postgres", HelpText = "Replicate a PostgreSQL table instead (an Npgsql connection string, without a password: ps shows it to every user; the password comes from PGPASSWORD, a passfile (~/.pgpass or PGPASSFILE), or the configuration; needs --table, --key-column, and --value-column or --row).")]
    public string? Postgres { get; set; }

    [Option("table", HelpText = "The PostgreSQL table to replicate (schema.table, or table in public).")]
    public string? Table { get; set; }

    [Option("key-column", HelpText = "The table's key column (its primary key: an integer for --key long, text for --key string).")]
    public string? KeyColumn { get; set; }

    [Option("value-column", HelpText = "The table's value column (a number; or, for --value string|json|bytes, any column: text, jsonb, bytea); NULL removes the key.")]
    public string? ValueColumn { get; set; }

    [Option("row", HelpText = "Store each row as one JSON object of its columns (a BlobMap of --key string); with --columns, those columns only.")]
    public bool Row { get; set; }

    [Option("columns", Separator = ',', HelpText = "With --row: the columns of each row's object, in order (a,b,c).")]
    public IEnumerable<string>? Columns { get; set; }

    [Option("slot", HelpText = "The replication slot (default: shmmaps_HOST_MAP); kept across restarts.")]
    public string? Slot { get; set; }

    [Option("follow", HelpText = "Keep reading appended lines (across truncation and rotation) until stopped.")]
    public bool Follow { get; set; }

    [Option("key", Default = "long", HelpText = "The key type: long, or string (FixedString32: at most 31 UTF-8 bytes; a longer key's line is skipped and logged).")]
    public string Key { get; set; } = "long";

    [Option("value", HelpText = "The value type: long or double (a LeftRightMap; the default); or string, json or bytes (base64 text in a file, a bytea column's bytes): a BlobMap of --key string (--row: json).")]
    public string? Value { get; set; }

    [Option("format", Default = "auto", HelpText = "auto (by extension), csv or jsonlines.")]
    public string Format { get; set; } = "auto";

    [Option("capacity", Default = 100_000L, HelpText = "Entries the map is created for (it grows past them).")]
    public long Capacity { get; set; }

    [Option("max-capacity", HelpText = "The most entries the map may grow to, if the sidecar creates it (default: while memory lasts).")]
    public long? MaxCapacity { get; set; }

    [Option("max-batch", Default = 1000, HelpText = "Publish once a batch holds this many changes.")]
    public int MaxBatch { get; set; }

    [Option("max-delay-ms", Default = 50, HelpText = "Publish at the latest this long after a batch's first change.")]
    public int MaxDelayMilliseconds { get; set; }

    [Option("dir", HelpText = "Map directory (default: $SHMMAPS_DIR, else this user's /dev/shm/shmmaps-UID).")]
    public string? Directory { get; set; }

    [Option("poll-ms", Default = 20, HelpText = "How often the followed file is looked at for new lines.")]
    public int PollMilliseconds { get; set; }

    [Option("verbose", HelpText = "Log every publish.")]
    public bool Verbose { get; set; }

    [Option("json", HelpText = "Log as JSON lines (for a log collector) instead of text.")]
    public bool Json { get; set; }

    [Usage(ApplicationAlias = "shm")]
    public static IEnumerable<Example> Examples =>
        [
            new("follow a file of prices by symbol", new SidecarVerb { Map = "prices", From = "prices.csv", Follow = true, Key = "string", Value = "double" }),
            new("replicate a PostgreSQL table", new SidecarVerb
            {
                Map = "prices", Postgres = "Host=db; Username=replica; Database=app", Table = "prices", KeyColumn = "symbol", ValueColumn = "price",
                Key = "string", Value = "double",
            }),
            new("replicate whole rows as JSON objects", new SidecarVerb
            {
                Map = "prices", Postgres = "Host=db; Username=replica; Database=app", Table = "prices", KeyColumn = "symbol", Row = true, Key = "string",
            }),
        ];
}
