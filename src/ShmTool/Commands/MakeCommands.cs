using System.Text.Json;
using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Commands;

/// <summary>create, load, copy: maps made by shm, and dumps written by it (<c>dump --format jsonl</c>).</summary>
internal static class MakeCommands
{
    public static int Create(CreateVerb verb, TextWriter output)
    {
        var shape = new MapShape(verb.Kind, verb.Key ?? "", 0, verb.Value, 0, verb.Capacity);
        MapEditor.Create(verb.Name, shape, verb.MaxCapacity, verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, MapEditor.Shape(verb.Name, verb.ToShmOptions()));
        }
        return ExitCodes.Ok;
    }

    /// <summary>The first line of a jsonl dump (the map's shape), then one line per entry.</summary>
    public static void WriteJsonLines(string name, ShmOptions options, IEnumerable<MapEntry> entries, TextWriter output)
    {
        output.WriteLine(Json.Line(MapEditor.Shape(name, options)));
        foreach (MapEntry entry in entries)
        {
            output.WriteLine(Json.Line(entry));
        }
    }

    public static int Load(LoadVerb verb, TextWriter output)
    {
        using TextReader input = verb.File == "-" ? Console.In : new StreamReader(verb.File);
        string first = input.ReadLine() ?? throw new FormatException($"'{verb.File}' is empty: a dump starts with the map's kind and types");
        MapShape shape = Parse<MapShape>(first, 1);
        MapEditor.Create(verb.Name, shape, maxCapacity: null, verb.ToShmOptions());
        long loaded = MapEditor.Load(verb.Name, Entries(input), verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, new { name = verb.Name, loaded });
        }
        else
        {
            output.WriteLine($"{verb.Name}: {loaded} entries loaded into a new {shape.Kind}");
        }
        return ExitCodes.Ok;
    }

    public static int Copy(CopyVerb verb, TextWriter output)
    {
        string target = verb.NewName ?? (verb.To is not null ? verb.Name : throw new FormatException("copy needs NEWNAME, or --to DIR to copy under the same name"));
        ShmOptions from = verb.ToShmOptions();
        var to = new ShmOptions { Directory = verb.To ?? verb.Directory, RequireSameOwner = !verb.AnyOwner };
        MapEditor.Create(target, MapEditor.Shape(verb.Name, from), maxCapacity: null, to);
        long copied = MapEditor.Load(target, MapEditor.Read(verb.Name, from), to);
        CheckReport report = MapInspector.Check(target, to);
        if (verb.Json)
        {
            Json.Write(output, new { name = target, copied, sound = report.IsSound });
        }
        else
        {
            output.WriteLine($"{target}: {copied} entries copied from {verb.Name}{(report.IsSound ? "" : $"; check: {string.Join("; ", report.Problems)}")}");
        }
        return report.IsSound ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static IEnumerable<MapEntry> Entries(TextReader input)
    {
        int number = 1;
        while (input.ReadLine() is { } line)
        {
            number++;
            if (line.Length > 0)
            {
                yield return Parse<MapEntry>(line, number);
            }
        }
    }

    private static T Parse<T>(string line, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, Json.Compact) ?? throw new FormatException($"line {number} of the dump is null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"line {number} of the dump is not a {typeof(T).Name} as shm dump --format jsonl writes it: {e.Message}", e);
        }
    }
}
