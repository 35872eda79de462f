using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Docs;

/// <summary>
/// Every C# and shell example of the README and <c>docs/</c> runs as written, in order, each document in a map
/// directory of its own (<c>SHMMAPS_DIR</c>): C# blocks as programs (a host until SIGTERM), then the shell blocks in
/// one <c>bash -e</c> session from the repository's root, as pasted into one terminal. A block marked <c>no-test</c> (installing, benchmarks of an hour, a
/// PostgreSQL server elsewhere) is not run; a JSON block with a file name is written where the next program runs.
/// </summary>
public sealed class DocExamplesTests(ExampleProgramFixture program, ITestOutputHelper output) : IClassFixture<ExampleProgramFixture>
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(4);

    /// <summary>The documents that hold an example to run.</summary>
    public static TheoryData<string> Documents => new(ExampleProgramFixture.Documents().Where(document =>
        DocExample.Extract(Path.Combine(Repository.Root, document), document).Any(e => e.Runs)));

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryExampleRunsAsWritten(string document)
    {
        IReadOnlyList<DocExample> examples = program.Examples.Where(e => e.Document == document).ToList();
        using var maps = new TempMapDirectory();
        string work = Directory.CreateTempSubdirectory("shmmaps-example-").FullName;
        var environment = new Dictionary<string, string> { ["SHMMAPS_DIR"] = maps.Path };
        try
        {
            foreach (DocExample example in examples)
            {
                if (example.FileName is { } file)
                {
                    File.WriteAllText(Path.Combine(work, file), example.Text);
                }
                else if (example.Runs && example.Language == "sh")
                {
                    continue; // below, all in one shell
                }
                else if (example.Runs && example.IsHost)
                {
                    RunHost(example, work, environment);
                }
                else if (example.Runs)
                {
                    (int code, string text) = Programs.Run(work, "dotnet", ["exec", program.Dll, program.IdOf(example)], environment, s_limit);
                    output.WriteLine($"{example}: exit {code}\n{text}");
                    Assert.True(code == 0, $"{example} exited {code}:\n{example.Text}\n---\n{text}");
                }
            }

            // The shell blocks in one session, as pasted into one terminal: a variable set in one is there in the next.
            List<DocExample> shell = [.. examples.Where(e => e.Runs && e.Language == "sh")];
            if (shell.Count > 0)
            {
                string script = string.Join('\n', shell.Select(e => $"echo '>>> {e}'\n{e.Text}"));
                (int code, string text) = Programs.Run(program.Repository, "bash", ["-e", "-c", script], environment, s_limit);
                output.WriteLine($"{document}, shell blocks: exit {code}\n{text}");
                Assert.True(code == 0, $"the shell blocks of {document} exited {code} (the last '>>>' names the block):\n{text}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A host runs until SIGTERM, then stops cleanly (exit 0).</summary>
    private void RunHost(DocExample example, string work, Dictionary<string, string> environment)
    {
        using var host = Programs.Start(work, "dotnet", ["exec", program.Dll, program.IdOf(example)], environment);
        Task<string> error = host.StandardError.ReadToEndAsync();
        Task<string> text = host.StandardOutput.ReadToEndAsync();
        if (host.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            Assert.Fail($"{example} ended by itself (exit {host.ExitCode}):\n{text.Result}{error.Result}");
        }
        Assert.Equal(0, Shell.Run("kill", "-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Code);
        if (!host.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            host.Kill();
            Assert.Fail($"{example} did not stop at SIGTERM:\n{text.Result}{error.Result}");
        }
        output.WriteLine($"{example}: exit {host.ExitCode}\n{text.Result}{error.Result}");
        Assert.True(host.ExitCode == 0, $"{example} exited {host.ExitCode} at SIGTERM:\n{text.Result}{error.Result}");
    }
}
