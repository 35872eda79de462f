using ShmMaps.Seq;
using ShmMaps.Tests.Support;
using ShmMaps.Tests.Growth;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Seq;

/// <summary>A SeqMap grows as every kind does (<see cref="GrowthTests"/>), up to its cap, and refuses a file made before maps grew.</summary>
public sealed class SeqMapGrowthTests(ITestOutputHelper output) : GrowthTests(GrowingKind.Seq, output)
{
    [Fact]
    public void AMapGrowsUpToItsMaxCapacityThenIsFull()
    {
        var options = new ShmOptions { Directory = Dir.Path, MaxCapacity = 1000, MaxLoad = 0.5 };
        using var map = SeqMap<long, long>.Create("capped", 16, options);
        long key = 0;
        Assert.Throws<MapFullException>(() =>
        {
            for (; key < 1_000_000; key++)
            {
                map.Insert(key, key);
            }
        });
        Assert.Equal(2048, map.CellCount); // 1,000 entries at a load of at most 0.5
        Assert.Equal(2048, key);
        Assert.Equal(key, map.Count);
        map.Insert(0, 7); // still usable
        Assert.Equal(7, map[0]);
    }

    [Fact]
    public void AFileFromBeforeMapsGrewIsRefusedWithWhatToDo()
    {
        long cells;
        using (var map = SeqMap<long, long>.Create("old", 100, new ShmOptions { Directory = Dir.Path, MaxCapacity = 100 }))
        {
            cells = map.CellCount;
        }
        // The kind parameters of the earlier layout: [cells, stride, insert-stripe shift], nothing after.
        new MapFilePatch(Dir.FileOf("old")).Int64(360 + 16, SeqMapLayout.StripeShiftFor(cells)).Int64(360 + 24, 0).Save();
        var error = Assert.Throws<LayoutMismatchException>(() => SeqMap<long, long>.Open("old", Dir.Options));
        Assert.Contains("made before maps grew", error.Message);
    }
}
