using System.Buffers;

namespace ShmMaps.Core.Files;

/// <summary>Map names, the directory they live in, and the file of each.</summary>
/// <remarks>
/// A name is <c>[A-Za-z0-9._-]{1,128}</c> and does not start with '.', or such a name, '~' and a role of
/// <c>[a-z0-9]{1,16}</c>: a companion of a map (<see cref="CompanionOf"/>), which no plain name can be; its file is
/// <c>&lt;directory&gt;/&lt;name&gt;.shm</c>. The directory is <see cref="ShmOptions.Directory"/>, else
/// <c>$SHMMAPS_DIR</c>, else the platform's default, each user's own (<c>/dev/shm/shmmaps-UID</c> on Linux), so that
/// one user's maps never stop another's; sharing between users is explicit (a directory, and
/// <see cref="ShmOptions.RequireSameOwner"/> false).
/// </remarks>
internal static class MapFiles
{
    /// <summary>The suffix of every map file.</summary>
    public const string Extension = ".shm";

    /// <summary>The environment variable that overrides the default directory.</summary>
    public const string DirectoryVariable = "SHMMAPS_DIR";

    /// <summary>The longest name.</summary>
    public const int MaxNameLength = 128;

    private static readonly SearchValues<char> s_nameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>The separator of a companion's name: a character no plain map name holds.</summary>
    public const char CompanionSeparator = '~';

    /// <summary>The name of map <paramref name="mapName"/>'s companion for <paramref name="role"/> (<c>prices~pg</c>): no plain map name is one.</summary>
    public static string CompanionOf(string mapName, string role)
    {
        string name = $"{mapName}{CompanionSeparator}{role}";
        ValidateName(name);
        return name;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a valid map name.</summary>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int companion = name.IndexOf(CompanionSeparator);
        if (companion >= 0)
        {
            string role = name[(companion + 1)..];
            if (role.Length is 0 or > 16 || role.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9'))))
            {
                throw new ArgumentException($"map name '{name}': a companion's role after '{CompanionSeparator}' must be 1 to 16 of a-z 0-9", nameof(name));
            }
            name = name[..companion];
        }
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ArgumentException($"map name must be 1 to {MaxNameLength} characters, got {name.Length}", nameof(name));
        }
        if (name[0] == '.')
        {
            throw new ArgumentException($"map name '{name}' must not start with '.'", nameof(name));
        }
        int bad = name.AsSpan().IndexOfAnyExcept(s_nameChars);
        if (bad >= 0)
        {
            throw new ArgumentException($"map name '{name}' has '{name[bad]}' at {bad}; allowed are A-Z a-z 0-9 . _ -", nameof(name));
        }
    }

    /// <summary>The directory maps live in under <paramref name="options"/>.</summary>
    public static string DirectoryFor(ShmOptions? options)
    {
        if (!string.IsNullOrEmpty(options?.Directory))
        {
            return Path.GetFullPath(options.Directory);
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        return ShmPlatform.Current.DefaultDirectory;
    }

    /// <summary>The file of map <paramref name="name"/>, after validating the name.</summary>
    public static string PathFor(string name, ShmOptions? options)
    {
        ValidateName(name);
        return Path.Combine(DirectoryFor(options), name + Extension);
    }

    /// <summary>The map name of a file path, or null if the file is not a map file.</summary>
    public static string? NameOf(string path)
    {
        string file = Path.GetFileName(path);
        if (!file.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }
        string name = file[..^Extension.Length];
        try
        {
            ValidateName(name);
            return name;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
