using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

/// <summary>
/// A LeftRightMap created small grows at its publishes: readers in another process see whole snapshots throughout and
/// never wait, a writer killed while growing leaves the last published state to the next one, and a cap is a cap.
/// </summary>
public sealed class LeftRightGrowthTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AMapCreatedSmallGrowsWhileAReaderProcessReadsWholeSnapshots()
    {
        const long keys = 200_000;
        const long batch = 5_000;
        using var writer = LeftRightMap.CreateWriter<long, long>("grow", 8, _dir.Options);
        using (var reader = ChildProcess.Start("leftright-grow-read", _dir.Path, "grow", keys))
        {
            reader.WaitFor("ready");
            for (long next = 0; next < keys; next += batch)
            {
                using var guard = writer.Guard();
                for (long key = next; key < next + batch; key++)
                {
                    guard.Insert(key, key * 10);
                }
            }
            Assert.StartsWith("ok", reader.ReadLine(TimeSpan.FromSeconds(60)));
        }
        Assert.Equal(keys, writer.PublishedCount);
        using (var guard = writer.Guard())
        {
            guard.Remove(0); // a guard after the growth moves the other copy to the large table too
        }
        string tables = MapInspector.Describe("grow", _dir.Options).Details["tables"];
        Assert.Matches(@"copy 0 on table (\d+) .*copy 1 on table \1 ", tables);
        Assert.DoesNotContain("on table 0 ", tables);
        CheckReport report = MapInspector.Check("grow", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        using var check = LeftRightMap.OpenReader<long, long>("grow", _dir.Options);
        using var snapshot = check.Guard();
        Assert.Equal(keys - 1, snapshot.Count);
        Assert.Null(snapshot.Get(0));
        Assert.Equal(10 * (keys - 1), snapshot.Get(keys - 1));
    }

    [Fact]
    public void AWriterKilledWhileGrowingLeavesTheLastPublishedStateToTheNext()
    {
        int rounds = Stress.Pick(quick: 6, full: 100);
        var random = new Random(5);
        for (int round = 0; round < rounds; round++)
        {
            string name = $"killed{round}";
            LeftRightMap.CreateWriter<long, long>(name, 8, _dir.Options).Dispose();
            using var acked = SeqArray<long>.Create(name + "-acked", 1, _dir.Options);
            using (var writer = ChildProcess.Start("leftright-grow", _dir.Path, name, 100_000_000, 777))
            {
                writer.WaitFor("ready");
                Thread.Sleep(random.Next(20, 300));
                writer.Kill();
            }
            long done = acked[0];
            using var next = LeftRightMap.OpenWriter<long, long>(name, _dir.Options);
            long published = next.PublishedCount;
            Assert.InRange(published, done, done + 777);
            using (var reader = LeftRightMap.OpenReader<long, long>(name, _dir.Options))
            using (var guard = reader.Guard())
            {
                for (long key = 0; key < published; key++)
                {
                    Assert.Equal(key * 10, guard.Get(key));
                }
                Assert.Null(guard.Get(published));
            }
            using (var guard = next.Guard())
            {
                for (long key = published; key < published + 20_000; key++)
                {
                    guard.Insert(key, key * 10);
                }
            }
            Assert.Equal(published + 20_000, next.PublishedCount);
            CheckReport report = MapInspector.Check(name, _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            LeftRightMap.Delete(name, _dir.Options); // the memory goes when this round's handles close
            SeqArray<long>.Delete(name + "-acked", _dir.Options);
        }
    }

    [Fact]
    public void AMapGrowsUpToItsMaxCapacityThenIsFull()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("capped", 8, new ShmOptions { Directory = _dir.Path, MaxCapacity = 1000, MaxLoad = 0.5 });
        using var guard = writer.Guard();
        long key = 0;
        Assert.Throws<MapFullException>(() =>
        {
            for (; key < 1_000_000; key++)
            {
                guard.Insert(key, key);
            }
        });
        Assert.Equal(2047, key); // 1,001 entries at a load of 0.5 need 2,048 cells; one is kept empty
        Assert.Equal(key, guard.Count);
        guard.Insert(0, 7); // still usable
        Assert.Equal(7, guard.Get(0));
    }

    [Fact]
    public void ADamagedTableGenerationIsCorruptAndLeavesNoPin()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("damaged", 8, _dir.With(TimeSpan.FromSeconds(2)));
        using (var guard = writer.Guard())
        {
            guard.Insert(1, 10);
        }
        using var reader = LeftRightMap.OpenReader<long, long>("damaged", _dir.Options);
        var patch = new MapFilePatch(_dir.FileOf("damaged"));
        long generations = patch.RegionOffset(ShmMaps.LeftRight.LeftRightLayout.ControlRegion) + 152;
        long published = (long)(writer.PublishSequence & 1);
        patch.Int64(generations + (8 * published), 99).Save();
        Assert.Throws<CorruptMapException>(() => reader.Guard());
        patch.Int64(generations + (8 * published), 0).Save();
        using (var guard = reader.Guard())
        {
            Assert.Equal(10, guard.Get(1));
        }
        // Two publishes: the second rewrites the copy the failed guard was on, so a pin left there would time it out.
        using (var guard = writer.Guard())
        {
            guard.Insert(2, 20);
        }
        using (var guard = writer.Guard())
        {
            guard.Insert(3, 30);
        }
        Assert.Equal(3, writer.PublishedCount);
    }
}
