using ShmMaps.Inspection;
using ShmMaps.Seq;
using ShmMaps.Tests.Support;
using ShmMaps.Tests.Growth;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Seq;

/// <summary>A SeqMap grows as every kind does (<see cref="GrowthTests"/>), up to its cap, and refuses a file made before maps grew.</summary>
public sealed class SeqMapGrowthTests(ITestOutputHelper output) : GrowthTests(GrowingKind.Seq, output)
{
    [Fact]
    public void UpdatesMadeWhileTheMapGrowsAreNeverLost()
    {
        const int counters = 4096; // in every stripe, so that movers meet updates
        long grown = Stress.Pick(quick: 200_000, full: 2_000_000);
        using var updater = SeqMap<long, long>.Create("updates", 16, Dir.Options);
        using var grower = SeqMap<long, long>.Open("updates", Dir.Options);
        using var reader = SeqMap<long, long>.Open("updates", Dir.Options);
        for (long k = 0; k < counters; k++)
        {
            updater.Insert(-1 - k, 0);
        }
        long done = 0;
        long stop = 0;
        var growth = new Thread(() =>
        {
            for (long i = 0; i < grown && Volatile.Read(ref stop) == 0; i++)
            {
                grower.Insert(i, i);
            }
            Volatile.Write(ref done, 1);
        });
        growth.Start();
        long round = 0;
        int generationsSeen = 0;
        try
        {
            while (Volatile.Read(ref done) == 0 || round < 10)
            {
                round++;
                for (long k = 0; k < counters; k++)
                {
                    updater.Insert(-1 - k, round); // through this handle's view, which a growth may have left behind
                    Assert.True(reader.TryGetValue(-1 - k, out long value), $"counter {k} is missing in round {round}");
                    Assert.Equal(round, value);
                }
                generationsSeen = Math.Max(generationsSeen, updater.Generation);
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1); // the maps are disposed after this method: no thread may still use them
            growth.Join();
        }
        Assert.True(generationsSeen >= 8, $"the updates saw generation {generationsSeen} at most");
        for (long k = 0; k < counters; k++)
        {
            Assert.Equal(round, updater[-1 - k]);
            Assert.Equal(round, grower[-1 - k]);
        }
        Assert.Equal(grown + counters, reader.Count);
        CheckReport report = MapInspector.Check("updates", Dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

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
