using System.Text.Json;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary><c>shm watch</c>: its figures and rates, as a script reads them (<c>--once --json</c>) and as a plain refresh.</summary>
public sealed class WatchCommandTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OnceAsJsonGivesTheCountAndTheWriteRate()
    {
        using var map = SeqMap<long, long>.Create("busy", 1000, _dir.Options);
        using var writer = BackgroundLoop.Start(() => map.Insert(Random.Shared.Next(500), 1));
        (int code, string output) = Run("watch", "busy", "--once", "--json", "--interval", "200");
        Assert.Equal(0, code);
        JsonElement view = JsonDocument.Parse(output).RootElement;
        Assert.Equal("SeqMap", view.GetProperty("kind").GetString());
        Assert.Equal("writes/s", view.GetProperty("rateUnit").GetString());
        Assert.True(view.GetProperty("rate").GetDouble() > 0);
        Assert.True(view.GetProperty("count").GetInt64() > 0);
        Assert.Equal(1000, view.GetProperty("capacity").GetInt64());
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), view.GetProperty("lanes").ToString());
    }

    [Fact]
    public void PlainRefreshesShowPublishesReaderSlotsAndADeadReader()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("routes", 100, _dir.Options);
        LeftRightChildRoles.WriteBatch(writer, 10, 2);
        using (var child = ChildProcess.Start("leftright-hold-guard", _dir.Path, "routes"))
        {
            Assert.StartsWith("ready", child.ReadLine());
            child.Kill();
        }
        (int code, string output) = Run("watch", "routes", "--count", "2", "--interval", "50");
        Assert.Equal(0, code);
        Assert.Equal(2, output.Split("routes (LeftRightMap)").Length - 1);
        Assert.Contains("publishes/s", output);
        Assert.Contains("reader slots", output);
        Assert.Contains("(dead)", output);
    }

    [Fact]
    public void AMapThatKeepsNoWriteCountShowsEntriesAdded()
    {
        FolkloreMap<int>.Create("hits", 100, _dir.Options).Dispose();
        (int code, string output) = Run("watch", "hits", "--once", "--interval", "20");
        Assert.Equal(0, code);
        Assert.Contains("entries added/s", output);
        Assert.Equal(2, Run("watch", "missing", "--once").Code);
    }

    private (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run([.. args, "--dir", _dir.Path], output, output);
        return (code, output.ToString());
    }
}
