using System.Globalization;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary><c>shm sidecar</c> in a child process: stopped with SIGTERM, killed with SIGKILL and started again.</summary>
public sealed class SidecarProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Feed => Path.Combine(_dir.Path, "feed.csv");

    [Fact]
    public void SigtermPublishesTheLastBatchAndReleasesTheWriter()
    {
        File.WriteAllText(Feed, "");
        using var sidecar = Start("term", maxDelayMs: 3_600_000);
        Append(1, 20);
        // The lines are read but wait for a publish that only shutdown brings (the delay is an hour).
        sidecar.WaitForContaining("changes waiting");
        sidecar.Terminate();
        Assert.Equal(0, sidecar.WaitForExit());
        using var reader = LeftRightMap.OpenReader<long, long>("term", _dir.Options);
        using (ReadGuard<long, long> guard = reader.Guard())
        {
            Assert.Equal(20, guard.Count);
            Assert.Equal(200, guard.Get(20));
        }
        using LeftRightWriter<long, long> next = LeftRightMap.OpenWriter<long, long>("term", _dir.Options);
    }

    [Fact]
    public void SigkillThenRestartResumesWithTheMapIntact()
    {
        File.WriteAllText(Feed, "");
        using var reader = WaitForMap("kill", out ChildProcess first);
        Append(1, 100);
        WaitForCount(reader, 100);
        first.Kill();
        first.Dispose();
        using (ReadGuard<long, long> guard = reader.Guard())
        {
            Assert.Equal(100, guard.Count);
            Assert.Equal(500, guard.Get(50));
        }
        using ChildProcess second = Start("kill", maxDelayMs: 20);
        Append(101, 200);
        WaitForCount(reader, 200);
        using (ReadGuard<long, long> guard = reader.Guard())
        {
            for (long key = 1; key <= 200; key++)
            {
                Assert.Equal(key * 10, guard.Get(key));
            }
        }
    }

    [Fact]
    public void JsonLinesFeedABlobMapOfDocumentsAndBase64FeedsBytes()
    {
        string feed = Path.Combine(_dir.Path, "docs.jsonl");
        File.WriteAllText(feed, """
            {"key":"user:42","value":{"name":"Ada","langs":["en","fr"]}}
            {"key":"user:43","value":{"name":"Grace"}}
            {"key":"broken","value":{"name":}
            {"key":"user:43","remove":true}
            {"key":"a key longer than thirty-one bytes, which a blob map keeps","value":"[1,2]"}
            {"key":"plain","value":"not JSON"}

            """);
        using (ChildProcess sidecar = ChildProcess.Start("cli", "sidecar", "--map", "docs", "--from", feed, "--key", "string", "--value", "json", "--dir", _dir.Path))
        {
            Assert.Equal(0, sidecar.WaitForExit());
        }
        using (var docs = BlobMap.Open("docs", _dir.Options))
        {
            Assert.Equal("""{"name":"Ada","langs":["en","fr"]}""", System.Text.Encoding.UTF8.GetString(docs["user:42"]));
            Assert.False(docs.ContainsKey("user:43"));
            Assert.Equal("[1,2]"u8.ToArray(), docs["a key longer than thirty-one bytes, which a blob map keeps"]); // a string value is its text
            Assert.False(docs.ContainsKey("plain"));
            Assert.Equal(2, docs.Count);
        }
        string bytes = Path.Combine(_dir.Path, "bytes.csv");
        File.WriteAllText(bytes, "k1,/wAB\nk2,not base64!\n");
        using (ChildProcess sidecar = ChildProcess.Start("cli", "sidecar", "--map", "raw", "--from", bytes, "--key", "string", "--value", "bytes", "--dir", _dir.Path))
        {
            Assert.Equal(0, sidecar.WaitForExit());
        }
        using (var raw = BlobMap.Open("raw", _dir.Options))
        {
            Assert.Equal([0xFF, 0x00, 0x01], raw["k1"]);
            Assert.False(raw.ContainsKey("k2"));
        }
        using ChildProcess refused = ChildProcess.Start("cli", "sidecar", "--map", "x", "--from", bytes, "--key", "long", "--value", "json", "--dir", _dir.Path);
        Assert.NotEqual(0, refused.WaitForExit());
    }

    [Fact]
    public void StringKeysFeedAMapOfFixedStrings()
    {
        string feed = Path.Combine(_dir.Path, "prices.csv");
        File.WriteAllText(feed, $"AAPL,189.5\nMSFT,415.25\n{new string('K', 32)},1\nGOOG,170\n");
        using ChildProcess sidecar = ChildProcess.Start("cli", "sidecar", "--map", "prices", "--from", feed, "--key", "string", "--value", "double", "--dir", _dir.Path);
        sidecar.WaitForContaining("key 'KKKK");
        Assert.Equal(0, sidecar.WaitForExit());
        using var reader = LeftRightMap.OpenReader<FixedString32, double>("prices", _dir.Options);
        using (ReadGuard<FixedString32, double> guard = reader.Guard())
        {
            Assert.Equal(3, guard.Count);
            Assert.Equal(189.5, guard.Get("AAPL"));
            Assert.Equal(170, guard.Get("GOOG"));
        }
        var output = new StringWriter();
        Assert.Equal(0, ShmMaps.Tool.Program.Run(["get", "prices", "MSFT", "--dir", _dir.Path], output, output));
        Assert.Equal("415.25", output.ToString().Trim());
    }

    private LeftRightReader<long, long> WaitForMap(string map, out ChildProcess sidecar)
    {
        sidecar = Start(map, maxDelayMs: 20);
        return LeftRightMap.OpenReader<long, long>(map, _dir.Options);
    }

    private ChildProcess Start(string map, int maxDelayMs)
    {
        ChildProcess sidecar = ChildProcess.Start("cli", "sidecar", "--map", map, "--from", Feed, "--follow", "--value", "long",
            "--max-delay-ms", maxDelayMs, "--dir", _dir.Path, "--verbose");
        sidecar.WaitForContaining("writer held");
        return sidecar;
    }

    private void Append(long from, long to)
    {
        using var writer = new StreamWriter(Feed, append: true);
        for (long key = from; key <= to; key++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{key},{key * 10}\n"));
        }
    }

    private static void WaitForCount(LeftRightReader<long, long> reader, long count) =>
        WriterServiceTests.WaitUntil(() =>
        {
            using ReadGuard<long, long> guard = reader.Guard();
            return guard.Count == count;
        });

    [Fact]
    public void TheDemoRunsASidecarAndReadersAndEndsCleanly()
    {
        string directory = Path.Combine(_dir.Path, "demo");
        using var demo = ChildProcess.Start("cli", "demo", "--seconds", 2, "--readers", 2, "--keys", 1_000, "--dir", directory);
        Assert.Contains("reader processes", demo.WaitForContaining("a sidecar (pid"));
        Assert.Contains("exit 0", demo.WaitForContaining("sidecar stopped with SIGTERM", TimeSpan.FromSeconds(90)));
        Assert.StartsWith("check: ok", demo.ReadLine());
        Assert.Equal(0, demo.WaitForExit());
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public void TheDemoSummarizesAsJsonForScripts()
    {
        string directory = Path.Combine(_dir.Path, "demo-json");
        using var demo = ChildProcess.Start("cli", "demo", "--seconds", 1, "--readers", 1, "--keys", 1_000, "--dir", directory, "--json");
        var text = new System.Text.StringBuilder();
        string line;
        while ((line = demo.ReadLine(TimeSpan.FromSeconds(90))) != "}")
        {
            text.AppendLine(line);
        }
        text.AppendLine(line);
        Assert.Equal(0, demo.WaitForExit());
        System.Text.Json.JsonElement summary = System.Text.Json.JsonDocument.Parse(text.ToString()).RootElement;
        Assert.True(summary.GetProperty("check").GetBoolean());
        Assert.Equal(0, summary.GetProperty("sidecarExit").GetInt32());
        Assert.True(summary.GetProperty("linesWritten").GetInt64() > 0);
    }
}
