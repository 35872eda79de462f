using System.Text;
using ShmMaps.Folklore;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Folklore;

/// <summary>What the entries hold: tags of the key hash, the layout of maps made before tags, entries naming no key slot, span keys.</summary>
public sealed partial class FolkloreMapTests
{
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
