using CommandLine;

namespace ShmMaps.Tool.Verbs;

/// <summary>Options every verb that works on a map directory shares.</summary>
internal class DirectoryOptions
{
    [Option("dir", HelpText = "Map directory (default: $SHMMAPS_DIR, else this user's /dev/shm/shmmaps-UID).")]
    public string? Directory { get; set; }

    [Option("json", HelpText = "Print JSON for scripts instead of a table.")]
    public bool Json { get; set; }

    [Option("any-owner", HelpText = "Also open maps of other users, in directories other users may write (root inspecting or recovering anyone's maps).")]
    public bool AnyOwner { get; set; }

    public ShmOptions ToShmOptions() => new() { Directory = Directory, RequireSameOwner = !AnyOwner };
}

/// <summary>Options of verbs that name one map.</summary>
internal class MapVerbOptions : DirectoryOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The map's name.")]
    public string Name { get; set; } = "";
}
