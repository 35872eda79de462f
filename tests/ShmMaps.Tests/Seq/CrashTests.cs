using System.Diagnostics;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

/// <summary>
/// Writers killed with SIGKILL at random instants while this process reads: every entry stays whole,
/// every cell is writable again within a second, and the map's invariants hold.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritersKilledMidWriteLeaveEveryEntryWhole()
    {
        const long keys = 256; // few keys: kills often land inside a write
        using var map = SeqMap<long, Whole4>.Create("crash", keys, _dir.Options);
        int rounds = Stress.Pick(quick: 8, full: 200);
        var random = new Random(7);
        long torn = 0;
        long readerLookups = 0;
        var r = new Random(3);
        using var reader = BackgroundLoop.Start(() =>
        {
            if (map.TryGetValue(r.NextInt64(keys), out Whole4 value) && !value.IsWhole)
            {
                Interlocked.Increment(ref torn);
            }
            readerLookups++;
        });

        var slowest = TimeSpan.Zero;
        for (int round = 0; round < rounds; round++)
        {
            using (var victim = ChildProcess.Start("write-whole", _dir.Path, "crash", keys, round + 1))
            using (var survivor = ChildProcess.Start("write-whole", _dir.Path, "crash", keys, round + 1000))
            {
                victim.WaitFor("ready");
                survivor.WaitFor("ready");
                Thread.Sleep(random.Next(20, 120));
                victim.Kill();
                Thread.Sleep(random.Next(0, 20));
                survivor.Kill();
            }

            // Every cell is writable again, quickly, whatever the kills interrupted.
            var watch = Stopwatch.StartNew();
            for (long key = 0; key < keys; key++)
            {
                if (map.TryGetValue(key, out Whole4 value))
                {
                    Assert.True(value.IsWhole, $"round {round}: key {key} holds a torn value {value}");
                }
                map.Insert(key, Whole4.Of(key));
            }
            if (watch.Elapsed > slowest)
            {
                slowest = watch.Elapsed;
            }
            // A killed writer may hold an insert stripe that no later insert needed: recover, then every invariant holds.
            CheckReport report = MapInspector.Recover("crash", _dir.Options);
            Assert.True(report.IsSound, $"round {round}: {string.Join("; ", report.Problems)}");
            Assert.Equal(keys, map.Count);
        }
        reader.Dispose();
        Assert.Equal(0, torn);
        Assert.True(readerLookups > 0);
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"writing every cell after a crash took {slowest}");
    }
}
