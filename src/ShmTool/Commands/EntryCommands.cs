using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Commands;

/// <summary>get, set, rm: one entry of a map, by the key and value types its header names.</summary>
internal static class EntryCommands
{
    public static int Get(GetVerb verb, TextWriter output)
    {
        if (verb.Hex || verb.Raw)
        {
            byte[]? bytes = MapEditor.GetBytes(verb.Name, verb.Key, verb.ToShmOptions());
            if (bytes is null)
            {
                return Absent(verb, output);
            }
            if (verb.Raw)
            {
                output.Flush();
                using Stream stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
            }
            else
            {
                output.WriteLine(Convert.ToHexStringLower(bytes));
            }
            return ExitCodes.Ok;
        }
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
        if ((verb.Value is null) == (verb.ValueFile is null))
        {
            throw new FormatException("give the value either as VALUE or with --value-file FILE (or - for stdin), not both");
        }
        if (verb.ValueFile is { } file)
        {
            byte[] bytes = ReadValueFile(file);
            MapEditor.SetBytes(verb.Name, verb.Key, bytes, verb.ToShmOptions());
            if (verb.Json)
            {
                Json.Write(output, new { key = verb.Key, bytes = bytes.Length });
            }
            return ExitCodes.Ok;
        }
        string key = MapEditor.Set(verb.Name, verb.Key, verb.Value!, verb.ToShmOptions()) ?? verb.Key;
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

    private static byte[] ReadValueFile(string file)
    {
        if (file != "-")
        {
            return File.ReadAllBytes(file);
        }
        using Stream stdin = Console.OpenStandardInput();
        using var copy = new MemoryStream();
        stdin.CopyTo(copy);
        return copy.ToArray();
    }

    private static int Absent(KeyVerbOptions verb, TextWriter? output)
    {
        output?.WriteLine($"shm: map '{verb.Name}' has no key '{verb.Key}'");
        return ExitCodes.KeyNotFound;
    }
}
