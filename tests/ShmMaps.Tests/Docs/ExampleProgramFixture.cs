using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Docs;

/// <summary>The examples of every document, and the program that runs their C# blocks, built once for the test class.</summary>
public sealed class ExampleProgramFixture : IDisposable
{
    private readonly string _build = Directory.CreateTempSubdirectory("shmmaps-examples-").FullName;

    public ExampleProgramFixture()
    {
        Repository = Support.Repository.Root;
        Examples = [.. Documents().SelectMany(document => DocExample.Extract(Path.Combine(Repository, document), document))];
        Dll = ExampleProgram.Build(Examples, Repository, _build);
    }

    public string Repository { get; }

    public IReadOnlyList<DocExample> Examples { get; }

    public string Dll { get; }

    /// <summary>The README and every page of <c>docs/</c>, as paths from the repository's root.</summary>
    public static IEnumerable<string> Documents()
    {
        string root = Support.Repository.Root;
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
}
