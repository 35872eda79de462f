using ShmMaps.Inspection;
using ShmMaps.Tests.Support;
using ShmMaps.Tests.Growth;
using Xunit.Abstractions;
using static ShmMaps.Tests.Support.FolkloreChildRoles;

namespace ShmMaps.Tests.Folklore;

/// <summary>
/// A FolkloreMap grows as every kind does (<see cref="GrowthTests"/>), without a lock: an AddOrUpdate stays atomic
/// while it grows, it stops at its cap, and a frozen entry outside a migration is damage, not a hang.
/// </summary>
public sealed class FolkloreGrowthTests(ITestOutputHelper output) : GrowthTests(GrowingKind.Folklore, output)
{
    [Fact]
    public void AddOrUpdateStaysAtomicWhileTheMapGrows()
    {
        const int counters = 64;
        const int perThread = 50_000;
        using var map = FolkloreMap<int>.Create("counters", 16, Dir.Options);
        var adders = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            for (int step = 0; step < perThread; step++)
            {
                map.AddOrUpdate($"counter {step % counters}", 1, static v => v + 1);
            }
        })).ToList();
        adders.ForEach(t => t.Start());
        for (int i = 0; i < 100_000; i++)
        {
            map.Insert(GrowthKey(i), i); // grows the map under the counters
        }
        adders.ForEach(t => t.Join());
        Assert.Equal(2 * perThread, Enumerable.Range(0, counters).Sum(c => map[$"counter {c}"]));
        Assert.True(map.Generation >= 8, $"generation {map.Generation}");
        Assert.Equal(100_000 + counters, map.Count);
        CheckReport report = MapInspector.Check("counters", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    [Fact]
    public void AMapGrowsUpToItsMaxCapacityThenIsFull()
    {
        var options = new ShmOptions { Directory = Dir.Path, MaxCapacity = 1000 };
        using var map = FolkloreMap<int>.Create("capped", 16, options);
        int i = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; i < 1_000_000; i++)
            {
                map.Insert(GrowthKey(i), i);
            }
        });
        Assert.Contains("ShmOptions.MaxCapacity", error.Message);
        Assert.Equal(1125, map.KeySlotCount); // 1,000 keys and an eighth for lost races
        // A key of more than 40 bytes takes two slots here; a two-slot run never spans two tables' slots (7 tables).
        int SlotsOf(int key) => ShmMaps.Folklore.KeyStore.SlotsFor(System.Text.Encoding.UTF8.GetByteCount(GrowthKey(key)));
        int used = Enumerable.Range(0, i).Sum(SlotsOf);
        Assert.True(used <= 1125 && used + SlotsOf(i) > 1125 - 7, $"{i} keys in {used} slots");
        Assert.Equal(i, map.Count);
        map.Insert(GrowthKey(0), 7); // still usable
        Assert.Equal(7, map[GrowthKey(0)]);

        // 2-byte values: a map that grows names 16,383 keys; more only in one table, sized at create.
        Assert.Throws<ArgumentOutOfRangeException>(() => FolkloreMap<short>.Create("too-far", 100, new ShmOptions { Directory = Dir.Path, MaxCapacity = 20_000 }));
        using var fixedSize = FolkloreMap<short>.Create("fixed", 20_000, new ShmOptions { Directory = Dir.Path, MaxCapacity = 20_000 });
        Assert.Equal(22_500 + 65, fixedSize.KeySlotCount); // and room for one key of the longest length (65 slots)
    }

    [Fact]
    public unsafe void AFrozenEntryOutsideAMigrationIsCorruptNotAHang()
    {
        using var map = FolkloreMap<int>.Create("frozen", 100, Dir.Options);
        map.Insert("victim", 1);
        map.Insert("bystander", 2);
        ShmMaps.Folklore.FolkloreTable table = map.Table;
        for (long cell = 0; cell < table.Cells; cell++)
        {
            ulong* entry = (ulong*)table.Entries + cell;
            if (*entry != 0 && table.Keys.KeyOf(table.KeyIndex(*entry)).SequenceEqual("victim"u8))
            {
                *entry |= table.FrozenBit; // as only a migration may, but the state says none is under way
            }
        }
        Assert.Equal(1, map["victim"]); // a frozen entry is still read
        Assert.Throws<CorruptMapException>(() => map.Insert("victim", 3));
        Assert.Throws<CorruptMapException>(() => map.TryRemove("victim", out _));
        map.Insert("bystander", 4);
        Assert.Equal(4, map["bystander"]);
        CheckReport report = MapInspector.Check("frozen", Dir.Options);
        Assert.Contains(report.Problems, p => p.Contains("frozen", StringComparison.Ordinal));
    }
}
