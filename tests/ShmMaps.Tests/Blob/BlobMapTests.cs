using System.Buffers;
using System.Text;
using ShmMaps.Inspection;
using Xunit.Abstractions;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>A BlobMap in one process: a map of byte values of any size, growing, reusing what is freed.</summary>
public sealed class BlobMapTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BehavesAsAMapOfBytes()
    {
        using var docs = BlobMap.Create("docs", 100, _dir.Options);
        Assert.False(docs.TryGetValue("user:42", out byte[]? missing));
        Assert.Null(missing);
        docs.Set("user:42", """{"name":"Ada"}"""u8);
        Assert.True(docs.TryGetValue("user:42", out byte[]? value));
        Assert.Equal("""{"name":"Ada"}""", Encoding.UTF8.GetString(value));
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(docs.TryGetValue("user:42"u8, writer));
        Assert.Equal(value, writer.WrittenSpan.ToArray());
        docs.Set("user:42", "x"u8);
        Assert.Equal("x"u8.ToArray(), docs["user:42"]);
        docs.Set("empty", ReadOnlySpan<byte>.Empty);
        Assert.True(docs.TryGetValue("empty", out byte[]? empty));
        Assert.Empty(empty);
        Assert.Equal(2, docs.Count);
        Assert.True(docs.TryRemove("user:42"));
        Assert.False(docs.TryRemove("user:42"));
        Assert.False(docs.ContainsKey("user:42"));
        Assert.True(docs.ContainsKey("empty"));
        Assert.Equal(1, docs.Count);
        Assert.Throws<KeyNotFoundException>(() => docs["user:42"]);
    }

    [Fact]
    public void KeysAreStringsOrTheirUtf8BytesAndLongOnesAreRefused()
    {
        using var map = BlobMap.Create("keys", 10, _dir.Options);
        map.Set("grüße/日本", "a"u8);
        Assert.True(map.TryGetValue(Encoding.UTF8.GetBytes("grüße/日本"), out byte[]? value));
        Assert.Equal("a"u8.ToArray(), value);
        string longest = new('k', BlobMap.MaxKeyLength);
        map.Set(longest, "long"u8);
        Assert.Equal("long"u8.ToArray(), map[longest]);
        Assert.Throws<ArgumentException>(() => map.Set(longest + "k", "x"u8));
        Assert.Throws<ArgumentException>(() => map.Set("\ud800", "x"u8));
        Assert.Throws<ArgumentException>(() => map.Set([0xFF, 0xFE], "x"u8));
    }

    [Fact]
    public void ValuesOfEverySizeUpTo16MiBComeBackWhole()
    {
        using var map = BlobMap.Create("sizes", 10, _dir.Options);
        var random = new Random(3);
        int[] sizes = [0, 1, 47, 48, 49, 100, 240, 241, 4096, 65_536, 1 << 20, (1 << 20) + 1, 16 << 20];
        foreach (int size in sizes)
        {
            byte[] bytes = new byte[size];
            random.NextBytes(bytes);
            map.Set($"v{size}", bytes);
            Assert.Equal(bytes, map[$"v{size}"]);
        }
        Assert.Equal(sizes.Length, map.Count);
        Assert.Throws<ArgumentException>(() => map.Set("too-large", new byte[BlobMap.MaxEntryLength]));
    }

    [Fact]
    public void GrowsPastItsCapacityAndEveryProcessHandleSeesTheKeys()
    {
        using var map = BlobMap.Create("grows", 10, _dir.Options);
        using var other = BlobMap.Open("grows", _dir.Options);
        for (int i = 0; i < 20_000; i++)
        {
            map.Set($"key-{i}", Encoding.UTF8.GetBytes($"value-{i}"));
        }
        Assert.Equal(20_000, other.Count);
        for (int i = 0; i < 20_000; i++)
        {
            Assert.True(other.TryGetValue($"key-{i}", out byte[]? value), $"key-{i}");
            Assert.Equal($"value-{i}", Encoding.UTF8.GetString(value));
        }
        for (int i = 0; i < 20_000; i += 2)
        {
            Assert.True(other.TryRemove($"key-{i}"));
        }
        Assert.Equal(10_000, map.Count);
        Assert.False(map.ContainsKey("key-0"));
        Assert.True(map.ContainsKey("key-1"));
        var walked = map.ToDictionary(entry => entry.Key, entry => Encoding.UTF8.GetString(entry.Value));
        Assert.Equal(10_000, walked.Count);
        Assert.All(walked, entry => Assert.Equal(entry.Key.Replace("key-", "value-"), entry.Value));
    }

    [Fact]
    public void OverwritesReuseTheirBlocks()
    {
        using var map = BlobMap.Create("reuse", 1000, _dir.Options);
        var random = new Random(5);
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 1000; i++)
            {
                map.Set($"k{i}", new byte[random.Next(64, 4096)]);
            }
        }
        long frontier = map.Layout.Frontier;
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 1000; i++)
            {
                map.Set($"k{i}", new byte[random.Next(64, 4096)]);
            }
        }
        Assert.True(map.Layout.Frontier < frontier * 1.1, $"the heap grew from {frontier} to {map.Layout.Frontier} bytes while the live data stayed the same");
    }

    [Fact]
    public void ThreadsWritingAndReadingTheSameKeysReadOnlyWholeValues()
    {
        using var map = BlobMap.Create("torn", 100, _dir.Options);
        const int keys = 16;
        for (int k = 0; k < keys; k++)
        {
            map.Set($"k{k}", Fill(0, 100));
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Stress.Pick(2, 20)));
        long reads = 0;
        Task[] writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                int k = random.Next(keys);
                map.Set($"k{k}", Fill((byte)random.Next(256), random.Next(1, 3000)));
            }
        })).ToArray();
        Task[] readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(100 + r);
            while (!stop.IsCancellationRequested)
            {
                Assert.True(map.TryGetValue($"k{random.Next(keys)}", out byte[]? value));
                Assert.All(value, b => Assert.Equal(value[0], b));
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        Task.WaitAll([.. writers, .. readers]);
        Assert.True(reads > 0);
        Assert.Equal(keys, map.Count);
    }

    /// <summary>The memory target: 10,000 keys overwritten 20 times with values of 64 B to 16 KiB keep the file under 1.5 times what they hold.</summary>
    [Fact]
    public void TwentyOverwritesOfTenThousandKeysKeepTheFileUnderOneAndAHalfTimesTheLiveBytes()
    {
        const int keys = 10_000;
        using var map = BlobMap.Create("overwritten", keys, _dir.Options);
        var random = new Random(9);
        long[] live = new long[keys];
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < keys; i++)
            {
                string key = $"key-{i:D5}";
                int length = random.Next(64, (16 << 10) + 1);
                map.Set(key, new byte[length]);
                live[i] = key.Length + length;
            }
        }
        long liveBytes = live.Sum();
        MapDescription described = MapInspector.Describe("overwritten", _dir.Options);
        output.WriteLine($"{keys:N0} keys, {liveBytes:N0} live key and value bytes; file {described.FileBytes:N0} bytes long, {described.AllocatedBytes:N0} allocated ({(double)described.AllocatedBytes / liveBytes:F3}x)");
        Assert.True(described.AllocatedBytes < 1.5 * liveBytes, $"{described.AllocatedBytes:N0} bytes allocated for {liveBytes:N0} live");
    }

    [Fact]
    public void HeadsGiveEachKeyWhatItsValueStartsWithItsLengthAndItsVersion()
    {
        using var map = BlobMap.Create("heads", 4, _dir.Options);
        for (int i = 0; i < 2_000; i++)
        {
            map.Set($"k{i}", Enumerable.Range(0, i % 50).Select(b => (byte)(b + i)).ToArray());
        }
        var heads = map.Heads(8).ToDictionary(head => head.Key);
        Assert.Equal(2_000, heads.Count);
        for (int i = 0; i < 2_000; i++)
        {
            BlobEntryHead head = heads[$"k{i}"];
            Assert.True(map.TryGetValue($"k{i}", out byte[]? value, out long version));
            Assert.Equal(value.Length, head.ValueLength);
            Assert.Equal(value.Take(8), head.Prefix);
            Assert.Equal(version, head.Version);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Heads(-1));
    }

    [Fact]
    public void UpdatesCompareTheVersionTheyReadAndAddOrUpdateLosesNoIncrement()
    {
        using var map = BlobMap.Create("versions", 100, _dir.Options);
        map.Set("k", "a"u8);
        Assert.True(map.TryGetValue("k", out byte[]? a, out long first));
        Assert.Equal("a"u8.ToArray(), a);
        Assert.True(map.TryUpdate("k", "b"u8, first));
        Assert.False(map.TryUpdate("k", "c"u8, first));
        Assert.Equal("b"u8.ToArray(), map["k"]);
        Assert.True(map.TryGetValue("k", out _, out long second));
        Assert.NotEqual(first, second);
        Assert.False(map.TryUpdate("absent", "x"u8, second));
        Assert.False(map.TryGetValue("absent", out _, out long none));
        Assert.Equal(0, none);
        Assert.False(map.TryAdd("k", "x"u8));
        Assert.True(map.TryAdd("new", "x"u8));
        Assert.Equal("x"u8.ToArray(), map["new"]);

        // A lease gives the version of the value it holds; a remove of a version is a compare-and-remove.
        using (BlobLease lease = map.Read("k"))
        {
            Assert.Equal(second, lease.Version);
        }
        Assert.False(map.TryRemove("k", first));
        Assert.True(map.ContainsKey("k"));
        Assert.True(map.TryRemove("k", second));
        Assert.False(map.ContainsKey("k"));
        Assert.False(map.TryRemove("k", second));
        map.Set("k", "b"u8);

        using var other = BlobMap.Open("versions", _dir.Options);
        int perThread = Stress.Pick(500, 5000);
        Task[] adders = [.. new[] { map, other, map, other }.Select(handle => Task.Run(() =>
        {
            for (int i = 0; i < perThread; i++)
            {
                handle.AddOrUpdate("counter", "1"u8, current => Encoding.UTF8.GetBytes((int.Parse(Encoding.UTF8.GetString(current)) + 1).ToString()));
            }
        }))];
        Task.WaitAll(adders);
        Assert.Equal((4 * perThread).ToString(), Encoding.UTF8.GetString(map["counter"]));
    }

    private static byte[] Fill(byte value, int length) => Enumerable.Repeat(value, length).ToArray();
}
