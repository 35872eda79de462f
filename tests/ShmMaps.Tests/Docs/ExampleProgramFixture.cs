namespace ShmMaps.Tests.Docs;

/// <summary>The examples of every document, and the program that runs their C# blocks, built once for the test class.</summary>
public sealed class ExampleProgramFixture : IDisposable
{
    private readonly string _build = Directory.CreateTempSubdirectory("shmmaps-examples-").FullName;

    public ExampleProgramFixture()
    {
        Repository = RepositoryRoot();
        Examples = [.. Documents().SelectMany(document => DocExample.Extract(Path.Combine(Repository, document), document))];
        Dll = ExampleProgram.Build(Examples, Repository, _build);
    }

    public string Repository { get; }

    public IReadOnlyList<DocExample> Examples { get; }

    public string Dll { get; }

    /// <summary>The README and every page of <c>docs/</c>, as paths from the repository's root.</summary>
    public static IEnumerable<string> Documents()
    {
        string root = RepositoryRoot();
        yield return "README.md";
        foreach (string page in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(root, page);
        }
    }

    public string IdOf(DocExample example) => ExampleProgram.IdOf(Examples, example);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_build, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string RepositoryRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "ShmMaps.sln")))
            {
                return directory;
            }
        }
        throw new InvalidOperationException($"no repository above {AppContext.BaseDirectory}");
    }
}
