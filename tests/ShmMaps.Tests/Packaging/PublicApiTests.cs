using System.Reflection;
using PublicApiGenerator;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Packaging;

/// <summary>
/// The public surface of each package, compared with the listing recorded in <c>api/</c>: an API change is always
/// deliberate. To record a change: <c>SHMMAPS_API_RECORD=1 dotnet test --filter PublicApiTests</c>, then commit the listing.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("ShmMaps.Core")]
    [InlineData("ShmMaps")]
    [InlineData("ShmMaps.Hosting")]
    [InlineData("ShmMaps.MemoryPack")]
    [InlineData("ShmMaps.Caching")]
    public void ThePublicApiIsTheRecordedOne(string assemblyName)
    {
        string api = Assembly.Load(assemblyName).GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        string listing = Path.Combine(Repository.Root, "api", assemblyName + ".txt");
        if (Environment.GetEnvironmentVariable("SHMMAPS_API_RECORD") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(listing)!);
            File.WriteAllText(listing, api);
        }
        string recorded = File.Exists(listing) ? File.ReadAllText(listing).ReplaceLineEndings("\n") : "(no listing recorded)";
        Assert.True(recorded == api,
            $"the public API of {assemblyName} differs from api/{assemblyName}.txt; if the change is deliberate, record it with " +
            $"SHMMAPS_API_RECORD=1 dotnet test --filter PublicApiTests and commit the listing. First difference:\n{FirstDifference(recorded, api)}");
    }

    private static string FirstDifference(string recorded, string actual)
    {
        string[] before = recorded.Split('\n');
        string[] after = actual.Split('\n');
        for (int i = 0; i < Math.Max(before.Length, after.Length); i++)
        {
            string was = i < before.Length ? before[i] : "(end)";
            string now = i < after.Length ? after[i] : "(end)";
            if (was != now)
            {
                return $"line {i + 1}: recorded \"{was.Trim()}\", now \"{now.Trim()}\"";
            }
        }
        return "(none)";
    }
}
