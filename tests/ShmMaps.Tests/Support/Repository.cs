namespace ShmMaps.Tests.Support;

/// <summary>The repository the tests were built from: the directory above their binaries that holds <c>ShmMaps.sln</c>.</summary>
public static class Repository
{
    /// <summary>The repository's root directory.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "ShmMaps.sln")))
            {
                return directory;
            }
        }
        throw new InvalidOperationException($"no repository (ShmMaps.sln) above {AppContext.BaseDirectory}");
    }
}
