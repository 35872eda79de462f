using System.Text;
using System.Text.RegularExpressions;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Docs;

/// <summary>
/// Every C# example of the documents as one program, built once: each block becomes a static local function (its
/// <c>using</c> directives go to the top, the types it declares to the end), and the program's first argument names
/// the block to run. Built outside the repository against the library's projects.
/// </summary>
public static partial class ExampleProgram
{
    /// <summary>The argument that runs <paramref name="example"/>.</summary>
    public static string IdOf(IReadOnlyList<DocExample> all, DocExample example) => $"block{IndexOf(all, example)}";

    /// <summary>Writes and builds the program in <paramref name="directory"/>; returns the path of its DLL.</summary>
    public static string Build(IReadOnlyList<DocExample> examples, string repository, string directory)
    {
        var usings = new SortedSet<string>(StringComparer.Ordinal);
        var functions = new StringBuilder();
        var types = new StringBuilder();
        var dispatch = new StringBuilder();
        for (int i = 0; i < examples.Count; i++)
        {
            DocExample example = examples[i];
            if (example.Language != "csharp" || !example.Runs)
            {
                continue;
            }
            string[] lines = example.Text.Split('\n');
            int typesStart = Array.FindIndex(lines, line => TypeDeclaration().IsMatch(line));
            if (typesStart < 0)
            {
                typesStart = lines.Length;
            }
            var body = new StringBuilder();
            foreach (string line in lines[..typesStart])
            {
                if (UsingDirective().IsMatch(line))
                {
                    usings.Add(line.Trim());
                }
                else
                {
                    body.Append("    ").AppendLine(line);
                }
            }
            // A block that awaits runs as an async method, as it would at the top of a program.
            bool awaits = body.ToString().Contains("await ", StringComparison.Ordinal);
            functions.AppendLine($"// {example}").AppendLine(awaits ? $"static async Task Block{i}(string[] args)" : $"static void Block{i}(string[] args)")
                .AppendLine("{").Append(body).AppendLine("}").AppendLine();
            types.AppendLine($"// {example}").AppendLine(string.Join('\n', lines[typesStart..])).AppendLine();
            dispatch.AppendLine(awaits ? $"    case \"block{i}\": Block{i}(args[1..]).GetAwaiter().GetResult(); break;" : $"    case \"block{i}\": Block{i}(args[1..]); break;");
        }
        var program = new StringBuilder();
        foreach (string directive in usings)
        {
            program.AppendLine(directive);
        }
        program.AppendLine().AppendLine("switch (args[0])").AppendLine("{").Append(dispatch)
            .AppendLine("    default: throw new ArgumentException($\"no example {args[0]}\");").AppendLine("}").AppendLine()
            .Append(functions).Append(types);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program.ToString());
        File.WriteAllText(Path.Combine(directory, "Examples.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <!-- An example's unused variable is part of what it shows. -->
                <NoWarn>CS0168;CS0219;CS8321</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(repository, "src", "ShmMaps", "ShmMaps.csproj")}" />
                <ProjectReference Include="{Path.Combine(repository, "src", "ShmHosting", "ShmHosting.csproj")}" />
                <ProjectReference Include="{Path.Combine(repository, "src", "ShmMaps.Caching", "ShmMaps.Caching.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        (int code, string output) = Programs.Run(directory, "dotnet", ["build", "-c", "Debug", "-o", Path.Combine(directory, "out")], environment: null, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"the examples did not build:\n{output}\n{program}");
        return Path.Combine(directory, "out", "Examples.dll");
    }

    private static int IndexOf(IReadOnlyList<DocExample> all, DocExample example)
    {
        for (int i = 0; i < all.Count; i++)
        {
            if (ReferenceEquals(all[i], example))
            {
                return i;
            }
        }
        throw new ArgumentException($"{example} is not among the examples", nameof(example));
    }

    [GeneratedRegex(@"^using [A-Za-z][\w.]*;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^(public |internal )?(readonly |sealed |static |partial )*(record|struct|class|enum|interface) ")]
    private static partial Regex TypeDeclaration();
}
