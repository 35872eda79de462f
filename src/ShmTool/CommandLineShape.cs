namespace ShmMaps.Tool;

/// <summary>
/// The argument order <c>shm</c> accepts beyond its parser's: the global options (<c>--dir DIR</c>, <c>--json</c>,
/// <c>--any-owner</c>) before the verb as well as after it, and <c>-h</c> or <c>--help</c> anywhere (the verb's help,
/// whatever else the line holds).
/// </summary>
internal static class CommandLineShape
{
    private static readonly string[] s_flags = ["--json", "--any-owner"];

    /// <summary>The arguments as the parser takes them: global options found before the verb moved after it.</summary>
    public static string[] Normalize(string[] args)
    {
        string[] spelled = [.. args.Select(a => a == "-h" ? "--help" : a)];
        if (spelled.Contains("--help"))
        {
            string? named = spelled.FirstOrDefault(a => !a.StartsWith('-') && !IsDirectoryValue(spelled, a));
            return named is null || named == "help" ? ["--help"] : [named, "--help"];
        }
        var leading = new List<string>();
        int verb = 0;
        while (verb < spelled.Length)
        {
            string argument = spelled[verb];
            if (argument == "--dir" && verb + 1 < spelled.Length)
            {
                leading.Add(argument);
                leading.Add(spelled[verb + 1]);
                verb += 2;
            }
            else if (argument.StartsWith("--dir=", StringComparison.Ordinal) || s_flags.Contains(argument))
            {
                leading.Add(argument);
                verb++;
            }
            else
            {
                break;
            }
        }
        return leading.Count == 0 || verb == spelled.Length ? spelled : [spelled[verb], .. leading, .. spelled[(verb + 1)..]];
    }

    private static bool IsDirectoryValue(string[] args, string argument)
    {
        int at = Array.IndexOf(args, argument);
        return at > 0 && args[at - 1] == "--dir";
    }
}
