using System.Text.Json;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary><c>shm bench</c> runs each kind beside ConcurrentDictionary and leaves no map behind.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryKindIsMeasuredBesideConcurrentDictionary()
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run(["bench", "--seconds", "0.05", "--keys", "2000", "--json", "--dir", _dir.Path], output, output);
        Assert.Equal(0, code);
        JsonElement[] results = [.. JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray()];
        Assert.Equal(["FolkloreMap", "LeftRightMap", "RwStore", "SeqMap", "StripedMap"],
            results.Select(r => r.GetProperty("kind").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.All(results, r =>
        {
            Assert.True(r.GetProperty("mapNanoseconds").GetDouble() > 0);
            Assert.True(r.GetProperty("dictionaryNanoseconds").GetDouble() > 0);
        });
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void AKindFilterMeasuresThatKindOnly()
    {
        var output = new StringWriter();
        Assert.Equal(0, ShmMaps.Tool.Program.Run(["bench", "folklore", "--seconds", "0.05", "--keys", "1000", "--dir", _dir.Path], output, output));
        Assert.Contains("FolkloreMap", output.ToString());
        Assert.DoesNotContain("SeqMap", output.ToString());
        Assert.Equal(4, ShmMaps.Tool.Program.Run(["bench", "nosuchkind", "--seconds", "0.05", "--keys", "1000", "--dir", _dir.Path], output, output));
    }
}
