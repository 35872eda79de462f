using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary>
/// Every example <c>shm help VERB</c> shows for the verbs that work on maps runs as written, verb after verb as a
/// session would (the maps <c>create</c>'s examples make are the ones the others use), in a directory of the test's
/// (<c>--dir</c> added). Not run: <c>watch</c> without <c>--once</c> (it runs until Ctrl+C), and the verbs that are
/// programs of their own (<c>bench</c>, <c>demo</c>, <c>sidecar</c>), whose examples the README's tests run.
/// </summary>
public sealed class HelpExamplesTests : IDisposable
{
    private const string DumpFile = "/tmp/prices.jsonl";
    private const string CopyDirectory = "/tmp/shm-backups";
    private readonly TempMapDirectory _dir = new();

    public void Dispose()
    {
        _dir.Dispose();
        File.Delete(DumpFile);
        if (Directory.Exists(CopyDirectory))
        {
            Directory.Delete(CopyDirectory, recursive: true);
        }
    }

    [Fact]
    public void EveryExampleOfTheMapVerbsRunsAsWritten()
    {
        string[] session = ["create", "list", "set", "get", "info", "dump", "watch", "check", "recover", "copy", "load", "rm", "delete"];
        int ran = 0;
        foreach (string verb in session)
        {
            (int code, string help) = Run("help", verb);
            Assert.Equal(0, code);
            string[] examples = [.. help.Split('\n').Where(line => line.StartsWith("  shm ", StringComparison.Ordinal)).Select(line => line.Trim())];
            Assert.NotEmpty(examples);
            foreach (string example in examples)
            {
                string[] args = Split(example)[1..];
                if (verb == "watch" && !args.Contains("--once"))
                {
                    continue;
                }
                (code, string output) = Run([.. args, "--dir", _dir.Path]);
                Assert.True(code == 0, $"{example} exited {code}:\n{output}");
                if (verb == "dump" && args.Contains("jsonl"))
                {
                    File.WriteAllText(DumpFile, output); // as a user would: shm dump prices --format jsonl > /tmp/prices.jsonl
                }
                ran++;
            }
        }
        Assert.True(ran >= 20, $"only {ran} examples ran");
    }

    /// <summary>An example line's words; a word in double quotes keeps its spaces.</summary>
    private static string[] Split(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line + " ")
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }
        return [.. words];
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ShmMaps.Tool.Program.Run(args, output, error);
        return (code, output.ToString() + error);
    }
}
