using ShmMaps.Core.Platform;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Core;

/// <summary>
/// A map name only ever names a ready file: a creator killed at any instant leaves no map or a whole one, never a
/// name that refuses every later create and open.
/// </summary>
public sealed class AtomicCreateTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("unnamed")]
    [InlineData("named")]
    public void CreatorsKilledAtRandomInstantsLeaveEveryNameUsable(string files)
    {
        var random = new Random(files.Length);
        int kills = Stress.Pick(quick: 12, full: 100);
        TimeSpan slowest = TimeSpan.Zero;
        for (int kill = 0; kill < kills; kill++)
        {
            using (var child = ChildProcess.Start("create-loop", _dir.Path, "m", files))
            {
                Assert.Equal("ready", child.ReadLine());
                Thread.Sleep(random.Next(1, 60));
                child.Kill();
            }
            var reuse = System.Diagnostics.Stopwatch.StartNew();
            using (SeqMap<long, long>.OpenOrCreate("m0", 50_000, _dir.Options))
            {
            }
            slowest = reuse.Elapsed > slowest ? reuse.Elapsed : slowest;
            for (int i = 0; i < 4; i++)
            {
                using (var map = SeqMap<long, long>.OpenOrCreate("m" + i, 50_000, _dir.Options))
                {
                    map.Insert(i, i);
                }
                SeqMap<long, long>.Delete("m" + i, _dir.Options);
                // A sidecar restarted after its creator was killed opens the writer of a map that exists.
                using (LeftRightWriter<long, long> writer = OpenOrCreateWriter("m" + i + "lr"))
                {
                    using WriteGuard<long, long> guard = writer.Guard();
                    guard.Insert(i, i);
                }
                LeftRightMap.Delete("m" + i + "lr", _dir.Options);
            }
        }
        output.WriteLine($"{kills} creators killed ({files} files); the slowest first use of a name after a kill took {slowest.TotalMilliseconds:F1} ms");
        // Creating sweeps what dead creators left under temporary names; unnamed files leave nothing at all.
        SeqMap<long, long>.Create("last", 8, _dir.Options).Dispose();
        Assert.Equal(["last.shm"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(path => Path.GetFileName(path)!).ToArray());
    }

    private LeftRightWriter<long, long> OpenOrCreateWriter(string name)
    {
        try
        {
            return LeftRightMap.OpenWriter<long, long>(name, _dir.Options);
        }
        catch (MapNotFoundException)
        {
            return LeftRightMap.CreateWriter<long, long>(name, 20_000, _dir.Options);
        }
    }

    [Fact]
    public void AnAbandonedTemporaryFileIsSweptAndALiveCreatorsIsNot()
    {
        var platform = new LinuxPlatform { UseUnnamedFiles = false };
        NewMapFile live = platform.CreateUnpublished(_dir.Path, "a", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            string abandoned = TemporaryNames.For(_dir.Path, "b");
            File.WriteAllBytes(abandoned, new byte[100]);
            Assert.Equal(1, platform.SweepAbandoned(_dir.Path));
            Assert.False(File.Exists(abandoned));
            Assert.True(File.Exists(live.TemporaryPath));
            platform.Publish(live, _dir.FileOf("a"));
            Assert.False(File.Exists(live.TemporaryPath));
            Assert.True(File.Exists(_dir.FileOf("a")));
            Assert.DoesNotContain(ShmMaps.Inspection.MapInspector.List(_dir.Options), listing => listing.Name.StartsWith('.'));
        }
        finally
        {
            live.Handle.Dispose();
        }
    }

    [Fact]
    public void PublishingNeverReplacesAMap()
    {
        using var first = SeqMap<long, long>.Create("taken", 8, _dir.Options);
        first.Insert(1, 1);
        var platform = ShmPlatform.Current;
        NewMapFile other = platform.CreateUnpublished(_dir.Path, "taken", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            Assert.Throws<MapExistsException>(() => platform.Publish(other, _dir.FileOf("taken")));
        }
        finally
        {
            platform.Discard(other);
            other.Handle.Dispose();
        }
        using var again = SeqMap<long, long>.Open("taken", _dir.Options);
        Assert.Equal(1, again[1]);
    }

    [Fact]
    public void RacingOpenOrCreateGetsOneMap()
    {
        var barrier = new Barrier(8);
        SeqMap<long, long>[] maps = Enumerable.Range(0, 8).Select(_ => (SeqMap<long, long>)null!).ToArray();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            barrier.SignalAndWait();
            maps[i] = SeqMap<long, long>.OpenOrCreate("raced", 10_000, _dir.Options);
            maps[i].Insert(i, i);
        });
        Assert.All(maps, map => Assert.Equal(8, map.Count));
        foreach (var map in maps)
        {
            map.Dispose();
        }
    }

    [Fact]
    public void AFileWhoseReadyFlagIsNotSetIsRefusedByName()
    {
        SeqMap<long, long>.Create("unready", 8, _dir.Options).Dispose();
        new MapFilePatch(_dir.FileOf("unready")).UInt32(ShmMaps.Core.Region.MapHeader.ReadyOffset, 0).Save();
        var error = Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.OpenOrCreate("unready", 8, _dir.Options));
        Assert.Contains("'ready'", error.Message);
    }
}
