using ShmMaps.Inspection;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Commands;

/// <summary>list, info, dump, check, recover, delete.</summary>
internal static class InspectCommands
{
    public static int List(ListVerb verb, TextWriter output)
    {
        IReadOnlyList<MapListing> listings = MapInspector.List(verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, listings);
            return ExitCodes.Ok;
        }
        string directory = MapInspector.DirectoryOf(verb.ToShmOptions());
        output.WriteLine(listings.Count == 0 ? $"no maps in {directory}" : $"{listings.Count} map(s) in {directory}");
        if (listings.Count == 0)
        {
            return ExitCodes.Ok;
        }
        var table = new TextTable("NAME", "KIND", "KEY", "VALUE", "COUNT", "CAPACITY", "SIZE", "LIVE PIDS");
        foreach (MapListing listing in listings)
        {
            if (listing.Description is { } d)
            {
                table.Add(d.Name, d.Kind, Short(d.KeyType), Short(d.ValueType), d.Count, d.Capacity, ByteSize.Format(d.AllocatedBytes), LivePids(d));
            }
            else
            {
                table.Add(listing.Name, "unreadable", "", "", "", "", "", listing.Error);
            }
        }
        table.Write(output);
        return ExitCodes.Ok;
    }

    public static int Info(InfoVerb verb, TextWriter output)
    {
        MapDescription d = MapInspector.Describe(verb.Name, verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, d);
            return ExitCodes.Ok;
        }
        output.WriteLine($"name:       {d.Name}");
        output.WriteLine($"file:       {d.Path}");
        output.WriteLine($"kind:       {d.Kind} (format {d.Format})");
        output.WriteLine($"key:        {(d.KeyType.Length == 0 ? "(none)" : $"{d.KeyType} ({d.KeySize} bytes)")}");
        output.WriteLine($"value:      {d.ValueType} ({d.ValueSize} bytes)");
        output.WriteLine($"count:      {d.Count}");
        output.WriteLine($"capacity:   {d.Capacity}");
        output.WriteLine($"memory:     {ByteSize.Format(d.AllocatedBytes)} allocated (du) in a file {ByteSize.Format(d.FileBytes)} long (ls -l: holes are tables given back); {ByteSize.Format(d.FixedBytes)} fixed at create");
        output.WriteLine($"handles:    {d.OpenHandles} open in live processes");
        output.WriteLine($"created:    {d.Created?.ToString("u") ?? "(no valid time)"} by pid {d.CreatorPid}");
        foreach ((string label, string value) in d.Details)
        {
            output.WriteLine($"{label + ":",-18}{value}");
        }
        output.WriteLine($"lanes:      {d.Lanes.Count} of {d.LaneCount} ever used, {d.Lanes.Count(l => l.Alive)} held by live processes");
        if (d.Lanes.Count > 0)
        {
            var table = new TextTable("LANE", "PID", "ALIVE", "GEN", "CLAIMED", "INTENT", "ENTRIES");
            foreach (LaneDescription lane in d.Lanes)
            {
                table.Add(lane.Index, lane.Pid, lane.Alive ? "yes" : "no", lane.Generation, lane.Claimed?.ToString("u") ?? "?", lane.Intent, lane.EntryCount);
            }
            table.Write(output);
        }
        return ExitCodes.Ok;
    }

    public static int Dump(DumpVerb verb, TextWriter output)
    {
        IEnumerable<MapEntry> entries = MapInspector.Dump(verb.Name, verb.ToShmOptions());
        if (verb.Limit > 0)
        {
            entries = entries.Take((int)Math.Min(verb.Limit, int.MaxValue));
        }
        string format = verb.Json ? "json" : verb.Format.ToLowerInvariant();
        switch (format)
        {
            case "json":
                Json.Write(output, entries.ToList());
                break;
            case "jsonl":
                MakeCommands.WriteJsonLines(verb.Name, verb.ToShmOptions(), entries, output);
                break;
            case "csv":
                output.WriteLine("index,key,value");
                foreach (MapEntry e in entries)
                {
                    output.WriteLine($"{e.Index},{Csv(e.Key)},{Csv(e.Value)}");
                }
                break;
            case "table":
                List<MapEntry> rows = [.. entries];
                bool expiring = rows.Exists(e => e.Expiry is not null); // a shared cache's entries: when each expires
                var table = expiring ? new TextTable("INDEX", "KEY", "EXPIRES", "VALUE") : new TextTable("INDEX", "KEY", "VALUE");
                foreach (MapEntry e in rows)
                {
                    if (expiring)
                    {
                        table.Add(e.Index, e.Key ?? "", Expires(e.Expiry), e.Value);
                    }
                    else
                    {
                        table.Add(e.Index, e.Key ?? "", e.Value);
                    }
                }
                table.Write(output);
                break;
            default:
                throw new ArgumentException($"unknown format '{verb.Format}': use table, json, jsonl or csv");
        }
        return ExitCodes.Ok;
    }

    /// <summary>A cache entry's expiry as the dump table shows it: the instant (UTC), and the sliding window if it has one.</summary>
    private static string Expires(MapEntryExpiry? expiry) => expiry switch
    {
        null => "",
        { Absolute: null, Sliding: null } => "never",
        { Sliding: { } window } => $"{expiry.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z (sliding {window})",
        _ => $"{expiry.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z",
    };

    public static int Check(MapVerbOptions verb, bool recover, TextWriter output)
    {
        CheckReport report = recover ? MapInspector.Recover(verb.Name, verb.ToShmOptions()) : MapInspector.Check(verb.Name, verb.ToShmOptions());
        if (verb.Json)
        {
            Json.Write(output, report);
        }
        else
        {
            if (recover)
            {
                output.WriteLine($"{report.Name}: released {report.Recovered} lock(s) of dead processes");
            }
            foreach (string problem in report.Problems)
            {
                output.WriteLine($"{report.Name}: {problem}");
            }
            foreach (string note in report.Notes)
            {
                output.WriteLine($"{report.Name}: note: {note}");
            }
            output.WriteLine(report.IsSound
                ? $"{report.Name}: ok ({report.Examined} cells and locks examined)"
                : $"{report.Name}: {report.Problems.Count} problem(s)");
        }
        return report.IsSound ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    public static int Delete(DeleteVerb verb, TextWriter output)
    {
        if (!MapInspector.Delete(verb.Name, verb.ToShmOptions()))
        {
            throw new MapNotFoundException($"no map named '{verb.Name}'");
        }
        if (verb.Json)
        {
            Json.Write(output, new { name = verb.Name, deleted = true });
        }
        else
        {
            output.WriteLine($"deleted {verb.Name}");
        }
        return ExitCodes.Ok;
    }

    private static string LivePids(MapDescription d) =>
        string.Join(",", d.Lanes.Where(l => l.Alive).Select(l => l.Pid).Distinct().Order());

    private static string Short(string typeName) => typeName.StartsWith("System.", StringComparison.Ordinal) ? typeName[7..] : typeName;

    private static string Csv(string? text) =>
        text is null ? "" : text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
