using System.Diagnostics;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Rw;

/// <summary>Processes sharing elements by id, and processes killed while holding their locks.</summary>
public sealed class RwStoreProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TwoProcessesIncrementingOneElementEndExact()
    {
        using var store = RwStore<long>.Create("count", _dir.Options);
        ShmId id = store.Insert(0);
        int rounds = Stress.Pick(5_000, 200_000);
        using var first = ChildProcess.Start("rw-increment", _dir.Path, "count", id, rounds);
        using var second = ChildProcess.Start("rw-increment", _dir.Path, "count", id, rounds);
        foreach (ChildProcess child in new[] { first, second })
        {
            child.WaitFor("done");
            Assert.Equal(0, child.WaitForExit());
        }
        Assert.True(store.TryRead(id, out ReadLock<long> guard));
        Assert.Equal(2L * rounds, guard.Value);
        guard.Dispose();
    }

    [Fact]
    public void AWriterKilledMidWriteIsUndoneWithinASecond()
    {
        using var store = RwStore<Whole4>.Create("half", _dir.Options);
        ShmId id = store.Insert(Whole4.Of(1));
        using (var child = ChildProcess.Start("rw-half-write", _dir.Path, "half", id, 2))
        {
            Assert.Equal("half", child.ReadLine());
            Assert.False(store.TryRead(id, TimeSpan.FromMilliseconds(100), out _));
            child.Kill();
        }
        var watch = Stopwatch.StartNew();
        Assert.True(store.TryRead(id, out ReadLock<Whole4> guard));
        TimeSpan recovered = watch.Elapsed;
        Assert.Equal(Whole4.Of(1), guard.Value);
        guard.Dispose();
        Assert.True(recovered < TimeSpan.FromSeconds(1), $"recovering the dead writer's element took {recovered}");
        Assert.True(store.TryWrite(id, TimeSpan.Zero, out WriteLock<Whole4> writer));
        writer.Value = Whole4.Of(3);
        writer.Dispose();
    }

    [Fact]
    public void ReadersKilledHoldingReadLocksLetAWriterInWithinASecond()
    {
        using var store = RwStore<Whole4>.Create("readers", _dir.Options);
        ShmId a = store.Insert(Whole4.Of(1));
        ShmId b = store.Insert(Whole4.Of(2));
        using (var child = ChildProcess.Start("rw-hold-read", _dir.Path, "readers", a, a, b))
        {
            Assert.Equal("held 3", child.ReadLine());
            // A live reader: readers share, writers wait, and past the lock timeout the holder is named.
            Assert.True(store.TryRead(a, TimeSpan.Zero, out ReadLock<Whole4> shared));
            shared.Dispose();
            Assert.False(store.TryWrite(a, TimeSpan.FromMilliseconds(100), out _));
            using var impatient = RwStore<Whole4>.Open("readers", _dir.With(TimeSpan.FromMilliseconds(200)));
            var error = Assert.Throws<TimeoutException>(() => impatient.TryWrite(b, out _));
            Assert.Contains(child.Pid.ToString(), error.Message);
            child.Kill();
        }
        var watch = Stopwatch.StartNew();
        Assert.True(store.TryWrite(a, out WriteLock<Whole4> writeA));
        TimeSpan recovered = watch.Elapsed;
        writeA.Value = Whole4.Of(10);
        writeA.Dispose();
        Assert.True(store.TryWrite(b, TimeSpan.FromSeconds(1), out WriteLock<Whole4> writeB));
        writeB.Dispose();
        Assert.True(recovered < TimeSpan.FromSeconds(1), $"recovering the dead readers' element took {recovered}");
        // The counts are exact again: one reader in, a writer kept out, then in.
        Assert.True(store.TryRead(a, TimeSpan.Zero, out ReadLock<Whole4> reader));
        Assert.Equal(Whole4.Of(10), reader.Value);
        Assert.False(store.TryWrite(a, TimeSpan.Zero, out _));
        reader.Dispose();
        Assert.True(store.TryWrite(a, TimeSpan.Zero, out writeA));
        writeA.Dispose();
    }

    [Fact]
    public void WritersKilledAtRandomLeaveTheElementWhole()
    {
        using var store = RwStore<Whole4>.Create("kills", _dir.Options);
        ShmId id = store.Insert(Whole4.Of(0));
        var random = new Random(11);
        int kills = Stress.Pick(4, 40);
        long start = 1;
        for (int round = 0; round < kills; round++)
        {
            using (var child = ChildProcess.Start("rw-write-forever", _dir.Path, "kills", id, start))
            {
                Assert.Equal("ready", child.ReadLine());
                Thread.Sleep(random.Next(20, 200));
                child.Kill();
            }
            var watch = Stopwatch.StartNew();
            Assert.True(store.TryWrite(id, out WriteLock<Whole4> guard));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"round {round}: taking the lock took {watch.Elapsed}");
            Whole4 value = guard.Value;
            Assert.True(value.IsWhole, $"round {round}: torn value {value}");
            Assert.True(value.A >= start - 1, $"round {round}: went back to {value.A}");
            start = value.A + 1;
            guard.Dispose();
        }
        Assert.True(ShmMaps.Inspection.MapInspector.Check("kills", _dir.Options).IsSound);
    }

    [Fact]
    public void GrowsAcrossBlocksWhileAnotherProcessReads()
    {
        const int count = 20_000;
        using var store = RwStore<Whole4>.Create("growing", count, _dir.Options);
        using var reader = ChildProcess.Start("rw-read-growing", _dir.Path, "growing", count);
        Assert.Equal("ready", reader.ReadLine());
        for (long i = 0; i < count; i++)
        {
            ShmId id = store.Insert(Whole4.Of(i));
            Assert.Equal(i, id.Slot);
        }
        string result = reader.ReadLine(TimeSpan.FromSeconds(120));
        Assert.StartsWith("ok", result);
        Assert.Equal(0, reader.WaitForExit());
    }
}
