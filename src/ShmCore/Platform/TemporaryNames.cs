namespace ShmMaps.Core.Platform;

/// <summary>
/// The names map files are built under where the file system has no unnamed files:
/// <c>.&lt;name&gt;.&lt;pid&gt;-&lt;random&gt;.creating</c>. A map name never starts with '.', so no map is ever
/// named like one, and listing skips them.
/// </summary>
internal static class TemporaryNames
{
    /// <summary>The suffix of every temporary name.</summary>
    public const string Suffix = ".creating";

    /// <summary>A fresh temporary name in <paramref name="directory"/> for map <paramref name="name"/>.</summary>
    public static string For(string directory, string name) =>
        Path.Combine(directory, $".{name}.{Environment.ProcessId}-{Guid.NewGuid():N}{Suffix}");

    /// <summary>True for a file name made by <see cref="For"/>.</summary>
    public static bool IsTemporary(string fileName) => fileName.StartsWith('.') && fileName.EndsWith(Suffix, StringComparison.Ordinal);
}
