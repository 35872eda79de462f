using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>Reading and following change files: CSV and JSON lines, bad lines, appends, truncation and rotation.</summary>
public sealed class FileChangeSourceTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BadLinesAreLoggedWithTheirNumberAndSkipped()
    {
        string path = Path.Combine(_dir.Path, "changes.csv");
        File.WriteAllText(path, "# prices\n1,1.5\n\nnot a line\n2,abc\nx,3\n3,3\n1,\n4,4");
        var logger = new CapturingLogger<FileChangeSource<long, double>>();
        var source = new FileChangeSource<long, double>(new FileChangeSourceOptions { Path = path }, logger);
        var changes = source.ReadAsync(CancellationToken.None).ToBlockingEnumerable().ToList();
        Assert.Equal(
            [MapChange<long, double>.Set(1, 1.5), MapChange<long, double>.Set(3, 3), MapChange<long, double>.Remove(1), MapChange<long, double>.Set(4, 4)],
            changes);
        Assert.Equal(3, source.BadLines);
        string[] warnings = logger.Entries.Select(e => e.Message).ToArray();
        Assert.Contains(warnings, w => w.StartsWith($"{path}:4: expected key,value", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"{path}:5: 'abc' is not a Double value", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"{path}:6: 'x' is not a Int64 key", StringComparison.Ordinal));
    }

    [Fact]
    public void StringKeysAreFixedStrings32AndALongerKeyIsNamedWithItsLine()
    {
        string path = Path.Combine(_dir.Path, "prices.csv");
        string longKey = new('K', 40);
        File.WriteAllText(path, $"AAPL,189.5\nMSFT,415.25\n{longKey},1\nAAPL,\n");
        var logger = new CapturingLogger<FileChangeSource<FixedString32, double>>();
        var source = new FileChangeSource<FixedString32, double>(new FileChangeSourceOptions { Path = path }, logger);
        var changes = source.ReadAsync(CancellationToken.None).ToBlockingEnumerable().ToList();
        Assert.Equal(
            [MapChange<FixedString32, double>.Set("AAPL", 189.5), MapChange<FixedString32, double>.Set("MSFT", 415.25), MapChange<FixedString32, double>.Remove("AAPL")],
            changes);
        Assert.Contains(logger.Entries, e => e.Message.StartsWith($"{path}:3: key '{longKey}' is 40 UTF-8 bytes; a string key holds at most 31", StringComparison.Ordinal));

        string json = Path.Combine(_dir.Path, "prices.jsonl");
        File.WriteAllText(json, $"{{\"key\": \"AAPL\", \"value\": 190}}\n{{\"key\": \"{longKey}\", \"value\": 1}}\n");
        var jsonSource = new FileChangeSource<FixedString32, double>(new FileChangeSourceOptions { Path = json }, logger);
        Assert.Equal([MapChange<FixedString32, double>.Set("AAPL", 190)], jsonSource.ReadAsync(CancellationToken.None).ToBlockingEnumerable().ToList());
        Assert.Contains(logger.Entries, e => e.Message.StartsWith($"{json}:2: key '{longKey}' is 40 UTF-8 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonLinesSetAndRemove()
    {
        string path = Path.Combine(_dir.Path, "changes.jsonl");
        File.WriteAllText(path, "{\"key\": 1, \"value\": 10}\n{\"key\": \"2\", \"value\": \"20\"}\n{\"key\": 1, \"remove\": true}\n{\"value\": 3}\n{broken\n");
        var logger = new CapturingLogger<FileChangeSource<long, long>>();
        var source = new FileChangeSource<long, long>(new FileChangeSourceOptions { Path = path }, logger);
        var changes = source.ReadAsync(CancellationToken.None).ToBlockingEnumerable().ToList();
        Assert.Equal([MapChange<long, long>.Set(1, 10), MapChange<long, long>.Set(2, 20), MapChange<long, long>.Remove(1)], changes);
        Assert.Equal(2, source.BadLines);
        Assert.Contains(logger.Entries, e => e.Message.Contains(":5: not JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void AFollowedFileIsReadAsItGrowsAndAgainAfterTruncationOrRotation()
    {
        string path = Path.Combine(_dir.Path, "follow.csv");
        var logger = new CapturingLogger<FileChangeSource<long, long>>();
        var source = new FileChangeSource<long, long>(new FileChangeSourceOptions { Path = path, Follow = true, PollInterval = TimeSpan.FromMilliseconds(5) }, logger);
        using var cancel = new CancellationTokenSource();
        IAsyncEnumerator<MapChange<long, long>> changes = source.ReadAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        long Next()
        {
            Assert.True(changes.MoveNextAsync().AsTask().Wait(TimeSpan.FromSeconds(10)), "no change came");
            return changes.Current.Key;
        }

        // A missing file is waited for; a line is taken once its newline is written.
        File.WriteAllText(path, "1,1\n2,");
        Assert.Equal(1, Next());
        File.AppendAllText(path, "2\n3,3\n");
        Assert.Equal(2, Next());
        Assert.Equal(3, Next());

        // Truncated and written again: read from the start.
        File.WriteAllText(path, "4,4\n");
        Assert.Equal(4, Next());
        Assert.Contains(logger.Entries, e => e.Message.Contains("truncated", StringComparison.Ordinal));

        // Rotated: the old file moved away, a new one (longer than what was read) in its place.
        File.AppendAllText(path, "5,5\n");
        Assert.Equal(5, Next());
        File.Move(path, path + ".1");
        File.WriteAllText(path, "60,6\n70,7\n80,8\n90,9\n");
        Assert.Equal(60, Next());
        Assert.Equal(70, Next());
        Assert.Contains(logger.Entries, e => e.Message.Contains("rotated", StringComparison.Ordinal));
        Assert.Equal(80, Next());
        Assert.Equal(90, Next());
        // Cancelling ends the sequence without an error.
        cancel.Cancel();
        Assert.False(changes.MoveNextAsync().AsTask().Result);
    }
}
