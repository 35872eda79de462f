using System.Text;
using ShmMaps.Folklore;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

public sealed class FolkloreMapTests : IDisposable
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

    [Fact]
    public void EntriesHoldATagOfTheKeyHashSoTheTableIsDenseAndCheckFindsAWrongTag()
    {
        using var map = FolkloreMap<int>.Create("tags", 10_000, _dir.Options);
        Assert.Equal(32_768, map.CellCount); // 11,250 key slots at a load of at most 0.5
        for (int i = 0; i < 10_000; i++)
        {
            map.Insert($"key {i}", i);
        }
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(i, map[$"key {i}"]);
        }
        MapDescription d = MapInspector.Describe("tags", _dir.Options);
        Assert.Contains("14 bits name the key slot, 15 hold a tag of its hash; key slots copied beside their cells", d.Details["cells"], StringComparison.Ordinal);
        Assert.True(MapInspector.Check("tags", _dir.Options).IsSound);

        // At the largest capacity of 32-bit entries no bit is left for a tag or a copy: the table stays sparse, as
        // before tags, and lookups read the key slots.
        using var narrow = FolkloreMap<short>.Create("no-tags", 32_767, _dir.Options);
        Assert.Equal(262_144, narrow.CellCount);
        Assert.False(narrow.Table.HasCellSlots);
        for (int i = 0; i < 1_000; i++)
        {
            narrow.Insert($"narrow {i}", (short)i);
        }
        Assert.Equal((short)777, narrow["narrow 777"]);
        Assert.True(MapInspector.Check("no-tags", _dir.Options).IsSound);

        // Past a cache-sized table of cell slots (here 1 M cells x 64 bytes) the map keeps its memory: no copies.
        using var large = FolkloreMap<int>.Create("large", 300_000, _dir.Options);
        Assert.Equal(1L << 20, large.CellCount);
        Assert.False(large.Table.HasCellSlots);
        large.Insert("one key", 1);
        Assert.Equal(1, large["one key"]);

        unsafe
        {
            ulong* entries = (ulong*)map.Table.Entries;
            ulong tagMask = map.Table.TagMask;
            long cell = 0;
            while (entries[cell] == 0)
            {
                cell++;
            }
            entries[cell] ^= tagMask & (0UL - tagMask); // the lowest tag bit
        }
        Assert.Equal(9_999, map.Count(pair => map.ContainsKey(pair.Key)));
        CheckReport report = MapInspector.Check("tags", _dir.Options);
        Assert.Contains(report.Problems, p => p.Contains("tag", StringComparison.Ordinal));
    }

    [Fact]
    public unsafe void LookupsReadTheKeySlotCopiedBesideTheCellAndCheckFindsABadCopy()
    {
        using var map = FolkloreMap<int>.Create("copies", 1_000, _dir.Options);
        string[] keys = Enumerable.Range(0, 500).Select(i => $"copied key {i}").Append(new string('l', 100)).ToArray();
        foreach (string key in keys)
        {
            map.Insert(key, key.Length);
        }
        ShmMaps.Folklore.FolkloreTable table = map.Table;
        Assert.True(table.HasCellSlots);
        long copied = 0;
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong entry = table.Read(cell);
            if (entry != 0)
            {
                Assert.True(table.IsCopied(entry));
                Assert.Equal(table.Keys.KeyOf(table.KeyIndex(entry)).ToArray(), table.Keys.KeyOf(table.CellSlots + cell).ToArray());
                copied++;
            }
        }
        Assert.Equal(keys.Length, copied);
        Assert.True(MapInspector.Check("copies", _dir.Options).IsSound);

        unsafe
        {
            // Damage the key slot of one key: lookups still find it through the copy beside its cell...
            long cell = FindCell(table, "copied key 7");
            table.Keys.Slot(table.KeyIndex(table.Read(cell)))->Inline[0] ^= 0x20;
            Assert.Equal(12, map["copied key 7"]);
            CheckReport report = MapInspector.Check("copies", _dir.Options);
            Assert.Contains(report.Problems, p => p.Contains("copy of key slot", StringComparison.Ordinal));

            // ...and an entry whose copy was never finished (its writer died before the bit) is read from its slot.
            long other = FindCell(table, "copied key 8");
            ulong* entries = (ulong*)table.Entries;
            entries[other] &= ~table.CopiedBit;
            (table.CellSlots + other)->Inline[0] ^= 0x20; // what an unfinished copy may hold
            Assert.Equal(12, map["copied key 8"]);
            map["copied key 8"] = 99;
            Assert.Equal(99, map["copied key 8"]);
            Assert.Equal(100, map[new string('l', 100)]); // a long key's copy points at the same bytes
        }
    }

    private static unsafe long FindCell(ShmMaps.Folklore.FolkloreTable table, string key)
    {
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong entry = table.Read(cell);
            if (entry != 0 && table.Keys.KeyOf(table.KeyIndex(entry)).SequenceEqual(Encoding.UTF8.GetBytes(key)))
            {
                return cell;
            }
        }
        throw new KeyNotFoundException(key);
    }

    [Fact]
    public void AMapMadeBeforeTagsNamesSlotsWithTheWholeKeyField()
    {
        // A map that never grows (MaxCapacity its capacity) has the layout maps had before they grew.
        using (var made = FolkloreMap<int>.Create("untagged", 100, new ShmOptions { Directory = _dir.Path, MaxCapacity = 100 }))
        {
            unsafe
            {
                global::ShmMaps.Core.Region.MapHeader* header = made.Region.Header;
                var parameters = (ShmMaps.Folklore.FolkloreFixedParameters*)header->KindParameters;
                parameters->KeyBits = 0; // as files were
                parameters->CellSlots = 0;
                header->Checksum = global::ShmMaps.Core.Region.HeaderValidator.Checksum(header);
            }
        }
        using var map = FolkloreMap<int>.Open("untagged", _dir.Options);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(map.TryAdd($"key {i}", i));
        }
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i, map[$"key {i}"]);
        }
        unsafe
        {
            ulong* entries = (ulong*)map.Table.Entries;
            for (long cell = 0; cell < map.CellCount; cell++)
            {
                Assert.Equal(0UL, entries[cell] & 0x7F80_0000_0000_0000UL); // no tag above the 7 key bits 100 keys need
            }
        }
        Assert.Contains("31 bits name the key slot, 0 hold a tag", MapInspector.Describe("untagged", _dir.Options).Details["cells"], StringComparison.Ordinal);
        Assert.True(MapInspector.Check("untagged", _dir.Options).IsSound);
    }

    [Fact]
    public void AnEntryNamingNoKeySlotIsPassedByLookupsAndReportedByCheck()
    {
        using var map = FolkloreMap<int>.Create("bad-entry", 100, _dir.Options);
        map.Insert("a key that stays findable", 1);
        unsafe
        {
            // Every empty cell names a slot past the key slots, as only a corrupt file can, with the tag of one of
            // the absent keys looked up below (so that lookups get past the tag to the slot).
            ulong* entries = (ulong*)map.Table.Entries;
            ulong tagMask = map.Table.TagMask;
            ulong[] bogus = new[] { "absent, and every cell taken", "absent" }
                .Select(key => ShmMaps.Core.Hashing.XxHash3.Hash(Encoding.UTF8.GetBytes(key), map.Region.HashSeed))
                .Select(hash => ShmMaps.Folklore.FolkloreEntry.Pack(map.KeySlotCount + 5, ShmMaps.Folklore.FolkloreEntry.Tag(hash, 32, tagMask), 7, 32))
                .ToArray();
            for (long cell = 0; cell < map.CellCount; cell++)
            {
                if (entries[cell] == 0)
                {
                    entries[cell] = bogus[cell & 1];
                }
            }
        }
        Assert.Equal(1, map["a key that stays findable"]);
        Assert.False(map.TryGetValue("absent, and every cell taken", out _));
        Assert.False(map.TryGetValue("absent"u8, out _));
        CheckReport report = MapInspector.Check("bad-entry", _dir.Options);
        Assert.False(report.IsSound);
    }

    [Fact]
    public void SpanKeysOf8To32BytesTakeEveryPathLikeStrings()
    {
        using var map = FolkloreMap<int>.Create("register-keys", 200, _dir.Options);
        for (int length = 6; length <= 34; length++)
        {
            foreach (string key in new[] { new string('k', length - 1) + "!", "é" + new string('u', Math.Max(0, length - 2)) })
            {
                byte[] utf8 = Encoding.UTF8.GetBytes(key);
                Assert.False(map.TryGetValue(utf8, out _));
                Assert.True(map.TryAdd(utf8, 1));
                Assert.False(map.TryAdd(utf8, 2));
                Assert.Equal(1, map.Get(key));
                map.Insert(utf8, 5);
                Assert.Equal(6, map.AddOrUpdate(utf8, 0, v => v + 1));
                Assert.True(map.TryGetValue(utf8, out int value));
                Assert.Equal(6, value);
                Assert.True(map.TryRemove(utf8, out int removed));
                Assert.Equal(6, removed);
                Assert.False(map.TryGetValue(utf8, out _));
                Assert.False(map.TryRemove(utf8, out _));
                Assert.Equal(3, map.AddOrUpdate(utf8, 3, v => v + 1));
                Assert.Equal(3, map.Get(key));
            }
        }
        // Bytes that are not UTF-8 match nothing and are refused when they would be added.
        byte[] invalid = [0xFF, 0xFE, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86];
        Assert.False(map.TryGetValue(invalid, out _));
        Assert.Throws<ArgumentException>(() => map.Insert(invalid, 1));
        Assert.Throws<ArgumentException>(() => map.AddOrUpdate(invalid, 1, v => v));
    }
}
