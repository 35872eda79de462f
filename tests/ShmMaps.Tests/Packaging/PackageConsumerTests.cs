using System.Diagnostics;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack</c> of the packable projects into a folder, a program outside the
/// solution restored from that folder alone (its own NuGet cache, so nothing stale is used) running as two processes
/// that share a map, and the <c>shm</c> tool installed from the folder and run.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_step = TimeSpan.FromMinutes(5);
    private readonly string _work = Directory.CreateTempSubdirectory("shmmaps-packages-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void PackagesRestoreFromAFolderAndTwoProcessesShareAMapAndTheToolRuns()
    {
        string repository = Repository.Root;
        string feed = Path.Combine(_work, "feed");
        string cache = Path.Combine(_work, "nuget-cache");
        Run(repository, "dotnet", "pack", Path.Combine(repository, "ShmMaps.Packages.slnf"), "-c", "Release", "-o", feed,
            "--artifacts-path", Path.Combine(_work, "artifacts"));
        string[] packages = [.. Directory.EnumerateFiles(feed).Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal)];
        output.WriteLine(string.Join(", ", packages));
        string version = Path.GetFileNameWithoutExtension(packages.Single(p => p.StartsWith("ShmMaps.Core.", StringComparison.Ordinal) && p.EndsWith(".nupkg", StringComparison.Ordinal)))["ShmMaps.Core.".Length..];
        foreach (string id in new[] { "ShmMaps.Core", "ShmMaps", "ShmMaps.Hosting", "ShmMaps.MemoryPack", "ShmMaps.Caching" })
        {
            Assert.Contains($"{id}.{version}.nupkg", packages);
            Assert.Contains($"{id}.{version}.snupkg", packages);
        }
        Assert.Contains($"shm.{version}.nupkg", packages);

        // The consumer, outside the repository: ShmMaps packages come from the folder only (source mapping).
        string consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(repository, "tests", "consumer")))
        {
            File.Copy(file, Path.Combine(consumer, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="ShmMaps" />
                  <package pattern="ShmMaps.*" />
                  <package pattern="shm" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        string bin = Path.Combine(_work, "consumer-bin");
        Run(consumer, "dotnet", ["build", "-c", "Release", "-o", bin, $"-p:ShmMapsVersion={version}"], cache);

        var maps = new TempMapDirectory();
        try
        {
            using var writer = Start(bin, "write", maps.Path);
            Assert.Equal("ready", writer.StandardOutput.ReadLine());
            using var reader = Start(bin, "read", maps.Path);
            Assert.True(reader.WaitForExit(s_step), "the reader did not finish");
            Assert.Equal("ok", reader.StandardOutput.ReadToEnd().Trim());
            Assert.True(writer.WaitForExit(s_step), "the writer did not finish");
            Assert.Equal("ok", writer.StandardOutput.ReadToEnd().Trim());
            Assert.Equal(0, writer.ExitCode);

            // As a user installs it: the folder as an added source (a tool package carries its dependencies), no other.
            string tools = Path.Combine(_work, "tools");
            string toolConfig = Path.Combine(_work, "tool-nuget.config");
            File.WriteAllText(toolConfig, """
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                  </packageSources>
                </configuration>
                """);
            Run(_work, "dotnet", ["tool", "install", "--tool-path", tools, "--configfile", toolConfig, "--add-source", feed, "--version", version, "shm"], cache);
            string listing = Run(consumer, Path.Combine(tools, "shm"), ["list", "--dir", maps.Path], cache);
            Assert.Contains("prices", listing);
            Assert.Contains("SeqMap", listing);
        }
        finally
        {
            maps.Dispose();
        }
    }

    private static Process Start(string bin, string role, string directory) =>
        Programs.Start(bin, "dotnet", ["exec", Path.Combine(bin, "ShmMaps.Consumer.dll"), role, directory], environment: null);

    private static string Run(string directory, string program, params string[] arguments) => Run(directory, program, arguments, cache: null);

    /// <summary>Runs a program to its end in <paramref name="directory"/>; fails the test with its output unless it exits 0.</summary>
    private static string Run(string directory, string program, string[] arguments, string? cache)
    {
        // A cache of its own: never a stale package of the same version.
        Dictionary<string, string>? environment = cache is null ? null : new() { ["NUGET_PACKAGES"] = cache };
        (int code, string text) = Programs.Run(directory, program, arguments, environment, s_step);
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} exited {code}:\n{text}");
        return text;
    }
}
