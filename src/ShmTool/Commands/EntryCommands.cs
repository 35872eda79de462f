using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Commands;

/// <summary>get, set, rm: one entry of a map, by the key and value types its header names.</summary>
internal static class EntryCommands
{
    public static int Get(GetVerb verb, TextWriter output)
    {
        string? value = MapEditor.Get(verb.Name, verb.Key, verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, new { key = verb.Key, found = value is not null, value });
        }
        else if (value is not null)
        {
            output.WriteLine(value);
        }
        return value is null ? Absent(verb, verb.Json ? null : output) : ExitCodes.Ok;
    }

    public static int Set(SetVerb verb, TextWriter output)
    {
        string key = MapEditor.Set(verb.Name, verb.Key, verb.Value, verb.ToShmOptions()) ?? verb.Key;
        if (verb.Json)
        {
            Json.Write(output, new { key, value = verb.Value });
        }
        else if (verb.Key == MapEditor.NewKey)
        {
            output.WriteLine(key);
        }
        return ExitCodes.Ok;
    }

    public static int Remove(RmVerb verb, TextWriter output)
    {
        bool removed = MapEditor.Remove(verb.Name, verb.Key, verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, new { key = verb.Key, removed });
        }
        return removed ? ExitCodes.Ok : Absent(verb, verb.Json ? null : output);
    }

    private static int Absent(KeyVerbOptions verb, TextWriter? output)
    {
        output?.WriteLine($"shm: map '{verb.Name}' has no key '{verb.Key}'");
        return ExitCodes.KeyNotFound;
    }
}
