using System.Text;
using ShmMaps.Folklore;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

public sealed partial class FolkloreMapTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InsertsReadsAndUpdatesLikeTheSeed()
    {
        using var map = FolkloreMap<short>.Create("seed", 1000, _dir.Options);
        Assert.False(map.TryGetValue("one", out _));
        map.Insert("one", 1);
        map.Insert("two", 2);
        Assert.Equal((short)1, map["one"]);
        Assert.Equal((short)2, map.Get("two"));
        Assert.Null(map.Get("three"));
        map.Insert("one", -7);
        Assert.Equal((short)-7, map["one"]);
        Assert.Equal(2, map.Count);
        Assert.Throws<KeyNotFoundException>(() => map["three"]);

        using var other = FolkloreMap<short>.Open("seed", _dir.Options);
        Assert.Equal((short)-7, other["one"]);
        Assert.True(other.ContainsKey("two"u8));
    }

    [Fact]
    public void ValueSizeSelectsTheEntryWidthAndBoundsTheCapacity()
    {
        Assert.Throws<ArgumentException>(() => FolkloreMap<long>.Create("long", 10, _dir.Options));
        Assert.Throws<ArgumentException>(() => FolkloreMap<byte>.Create("byte", 10, _dir.Options));
        Assert.Throws<ArgumentException>(() => FolkloreMap<short>.Create("wide", 32_768, _dir.Options));
        Assert.Throws<ArgumentException>(() => FolkloreMap<int>.Create("huge", 1L << 31, _dir.Options));
        Assert.False(File.Exists(_dir.FileOf("wide")));

        using var narrow = FolkloreMap<ushort>.Create("narrow", 32_767, _dir.Options);
        Assert.Equal(32_767, narrow.KeySlotCount);
        Assert.Equal(32_767, narrow.Capacity);
        using var wide = FolkloreMap<float>.Create("float", 100, _dir.Options);
        wide.Insert("pi", 3.25f);
        Assert.Equal(3.25f, wide["pi"]);
        Assert.Throws<LayoutMismatchException>(() => FolkloreMap<int>.Open("narrow", _dir.Options));
        using (SeqMap<long, long>.Create("seq", 10, _dir.Options))
        {
        }
        Assert.Throws<LayoutMismatchException>(() => FolkloreMap<int>.Open("seq", _dir.Options));
    }

    [Fact]
    public void StringKeysOfOneToTwoHundredBytesRoundTrip()
    {
        using var map = FolkloreMap<int>.Create("strings", 2000, _dir.Options);
        var random = new Random(5);
        string[] alphabet = ["a", "Z", "0", "-", "é", "ß", "日", "本", "😀", "ж", " "];
        var expected = new Dictionary<string, int>();
        for (int i = 0; expected.Count < 1000; i++)
        {
            var key = new StringBuilder();
            int target = 1 + random.Next(200);
            while (Encoding.UTF8.GetByteCount(key.ToString()) < target)
            {
                key.Append(alphabet[random.Next(alphabet.Length)]);
            }
            string text = key.ToString();
            if (Encoding.UTF8.GetByteCount(text) > 200)
            {
                continue;
            }
            expected[text] = i;
            map.Insert(text, i);
        }
        expected["x"] = -1;
        map.Insert("x"u8, -1);
        foreach ((string key, int value) in expected)
        {
            Assert.Equal(value, map[key]);
            Assert.True(map.TryGetValue(Encoding.UTF8.GetBytes(key), out int viaSpan));
            Assert.Equal(value, viaSpan);
        }
        Assert.Equal(expected.Count, map.Count);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), map.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(MapInspector.Check("strings", _dir.Options).IsSound);
    }

    [Fact]
    public void StringAndUtf8FormsOfAKeyAreTheSameKeyAtEveryLength()
    {
        using var map = FolkloreMap<int>.Create("forms", 200, _dir.Options);
        for (int length = 0; length <= 60; length++)
        {
            string ascii = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + ((i * 7 + length) % 26))));
            map.Insert(Encoding.UTF8.GetBytes(ascii), length);
            Assert.Equal(length, map[ascii]);
            Assert.Equal(length + 100, map.AddOrUpdate(ascii, -1, v => v + 100));
            Assert.False(map.TryAdd(ascii, 0));
            string mixed = ascii + "ü";
            map.Insert(mixed, -length);
            Assert.True(map.TryGetValue(Encoding.UTF8.GetBytes(mixed), out int viaSpan));
            Assert.Equal(-length, viaSpan);
        }
        Assert.Equal(122, map.Count);
        string probe = "abcdefghijklmnopq";
        Assert.False(map.ContainsKey(probe));
        Assert.True(map.TryAdd(probe, 1));
        Assert.True(map.TryRemove(probe, out _));
        Assert.False(map.ContainsKey(probe));
        Assert.True(map.TryAdd(probe, 2));
        Assert.Equal(2, map[probe]);
    }

    [Fact]
    public void KeysThatCannotBeStoredAreRejectedByWritesAndAbsentForReads()
    {
        using var map = FolkloreMap<int>.Create("bad", 10, _dir.Options);
        string loneSurrogate = "a\uD800b";
        Assert.Throws<ArgumentException>(() => map.Insert(loneSurrogate, 1));
        Assert.False(map.TryGetValue(loneSurrogate, out _));
        Assert.Throws<ArgumentException>(() => map.Insert([0xFF, 0xFE], 1));
        string tooLong = new('k', map.MaxKeyBytes + 1);
        Assert.Throws<ArgumentException>(() => map.TryAdd(tooLong, 1));
        Assert.Throws<ArgumentException>(() => map.AddOrUpdate(new string('é', (map.MaxKeyBytes / 2) + 1), 1, v => v));
        Assert.False(map.ContainsKey(tooLong));
        Assert.Throws<ArgumentNullException>(() => map.Insert((string)null!, 1));
        map.Insert(new string('k', map.MaxKeyBytes), 4);
        map.Insert("", 5);
        Assert.Equal(5, map[""]);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void AddOrUpdateAndTryAdd()
    {
        using var map = FolkloreMap<int>.Create("ops", 10, _dir.Options);
        Assert.Equal(1, map.AddOrUpdate("hits", 1, v => v + 1));
        Assert.Equal(2, map.AddOrUpdate("hits", 1, v => v + 1));
        Assert.Equal(12, map.AddOrUpdate("hits"u8, 1, v => v + 10));
        Assert.True(map.TryAdd("new", 5));
        Assert.False(map.TryAdd("new", 6));
        Assert.Equal(5, map["new"]);
    }

    [Fact]
    public void RemovalKeepsTheKeysCellSoChurnCostsNothing()
    {
        using var map = FolkloreMap<int>.Create("churn", 1000, _dir.Options);
        for (int i = 0; i < 1000; i++)
        {
            map.Insert($"key-{i}", i);
        }
        long slots = map.Keys.SlotsUsed;
        string before = MapInspector.Describe("churn", _dir.Options).Details["probe distance"];

        Assert.True(map.TryRemove("key-7", out int removed));
        Assert.Equal(7, removed);
        Assert.False(map.TryRemove("key-7", out _));
        Assert.False(map.ContainsKey("key-7"));
        Assert.Equal(999, map.Count);
        Assert.DoesNotContain(map, p => p.Key == "key-7");
        Assert.Equal(0, map.AddOrUpdate("key-7", 0, v => v + 100)); // a removed key is added again, not updated
        Assert.True(map.TryRemove("key-7"u8, out _));
        Assert.True(map.TryAdd("key-7", 70));
        Assert.Equal(70, map["key-7"]);

        var random = new Random(9);
        for (int cycle = 0; cycle < Stress.Pick(20_000, 500_000); cycle++)
        {
            string key = $"key-{random.Next(1000)}";
            if (map.TryRemove(key, out _))
            {
                map.Insert(key, cycle);
            }
        }
        Assert.Equal(1000, map.Count);
        Assert.Equal(slots, map.Keys.SlotsUsed);
        Assert.Equal(before, MapInspector.Describe("churn", _dir.Options).Details["probe distance"]);
    }

    [Fact]
    public void AFullMapThrowsAndStaysUsable()
    {
        using var map = FolkloreMap<short>.Create("full", 10, _dir.Options);
        int added = 0;
        void FillUp()
        {
            while (true)
            {
                map.Insert($"k{added}", (short)added);
                added++;
            }
        }
        var full = Assert.Throws<MapFullException>(FillUp);
        Assert.Contains("key slots", full.Message);
        Assert.Equal(map.KeySlotCount, added);
        Assert.True(added >= 10);
        map.Insert("k3", 33);
        Assert.Equal((short)33, map["k3"]);
        Assert.True(map.TryRemove("k4", out _));
        map.Insert("k4", 44); // a removed key comes back without a new slot
        Assert.Equal(added, map.Count);

        // Keys of up to 40 bytes live in their slot; a longer one runs on through the slots after its own.
        using var tight = FolkloreMap<int>.Create("tight", 10, _dir.Options);
        string[] keys = [new string('a', 41), new string('b', 96), new string('c', 97), new string('d', FolkloreLayout.MaxKeyBytes), "e"];
        for (int i = 0; i < keys.Length; i++)
        {
            tight.Insert(keys[i], i);
        }
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i, tight[keys[i]]);
        }
        Assert.Equal([.. keys.Order()], tight.Select(e => e.Key).Order());
        Assert.True(MapInspector.Check("tight", _dir.Options).IsSound);
        // A map that never grows has room for one longest key besides its capacity.
        using var fixedMap = FolkloreMap<int>.Create("fixed", 10, new ShmOptions { Directory = _dir.Path, MaxCapacity = 10 });
        fixedMap.Insert(new string('x', FolkloreLayout.MaxKeyBytes), 1);
        Assert.Equal(1, fixedMap[new string('x', FolkloreLayout.MaxKeyBytes)]);
    }

    [Fact]
    public void ADisposedHandleThrows()
    {
        var map = FolkloreMap<int>.Create("gone", 10, _dir.Options);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryGetValue("a"u8, out _));
        Assert.Throws<ObjectDisposedException>(() => map.Insert("a", 1));
    }

    [Fact]
    public void InfoShowsTheKeyStoreAndCheckFindsDamage()
    {
        using var map = FolkloreMap<int>.Create("info", 100, _dir.Options);
        map.Insert("alpha", 1);
        map.Insert(new string('β', 25), 2); // 50 bytes: too long for its slot
        map.TryRemove(new string('β', 25), out _);
        MapDescription d = MapInspector.Describe("info", _dir.Options);
        Assert.Equal(1, d.Count);
        Assert.StartsWith("3 of", d.Details["key slots"]); // the long key takes its slot and the next
        Assert.StartsWith("1 ", d.Details["removed keys"]);
        Assert.StartsWith("0 ", d.Details["wasted key slots"]);
        Assert.Equal([new MapEntry(0, "alpha", "1")], MapInspector.Dump("info", _dir.Options).Select(e => e with { Index = 0 }));
        Assert.True(MapInspector.Check("info", _dir.Options).IsSound);

        unsafe
        {
            global::ShmMaps.Core.Region.MapRegion region = map.Region;
            map.Keys.Slot(0)->Hash ^= 1;
        }
        CheckReport report = MapInspector.Check("info", _dir.Options);
        Assert.False(report.IsSound);
        Assert.Contains(report.Problems, p => p.Contains("hash", StringComparison.Ordinal));
    }
}
