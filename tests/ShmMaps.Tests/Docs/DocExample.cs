namespace ShmMaps.Tests.Docs;

/// <summary>
/// One fenced block of a document: its language (the info string's first word), its flags (the words after it:
/// <c>no-test</c>, <c>host</c>, or a file name for a JSON block the next program reads), where it starts, and its text.
/// </summary>
public sealed record DocExample(string Document, int Line, string Language, IReadOnlyList<string> Flags, string Text)
{
    /// <summary>Blocks the examples test runs: C# and shell, unless marked <c>no-test</c>.</summary>
    public bool Runs => Language is "csharp" or "sh" && !Flags.Contains("no-test");

    /// <summary>A C# program that runs until it is told to stop (a host): the test stops it with SIGTERM.</summary>
    public bool IsHost => Flags.Contains("host");

    /// <summary>The file a JSON block is written to before the next program runs (<c>```json appsettings.json</c>), if any.</summary>
    public string? FileName => Language == "json" && Flags.Count == 1 ? Flags[0] : null;

    public override string ToString() => $"{Document}:{Line} ({Language})";

    /// <summary>The fenced blocks of markdown file <paramref name="path"/>, named <paramref name="document"/>, in order.</summary>
    public static IReadOnlyList<DocExample> Extract(string path, string document)
    {
        var examples = new List<DocExample>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal) || lines[i].Length == 3)
            {
                if (lines[i] == "```")
                {
                    // An unlabelled block (a diagram): skipped whole.
                    i = Array.FindIndex(lines, i + 1, line => line == "```");
                    Assert.True(i > 0, $"{document}: a fence is never closed");
                }
                continue;
            }
            string[] info = lines[i][3..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int end = Array.FindIndex(lines, i + 1, line => line == "```");
            Assert.True(end > 0, $"{document}:{i + 1}: the fence is never closed");
            examples.Add(new DocExample(document, i + 1, info[0], info[1..], string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }
        return examples;
    }
}
