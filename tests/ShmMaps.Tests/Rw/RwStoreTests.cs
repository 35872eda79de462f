using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Rw;

public sealed class RwStoreTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The seed's example, line by line.</summary>
    [Fact]
    public void SeedExample()
    {
        using var store = RwStore<int>.Create("seed", _dir.Options);

        ShmId id = store.Insert(42);
        {
            Assert.True(store.TryRead(id, out ReadLock<int> readLock));
            Assert.Equal(42, readLock.Value);
            // Concurrent reads are possible, writing at the same time is not.
            Assert.True(store.TryRead(id, TimeSpan.Zero, out ReadLock<int> second));
            Assert.False(store.TryWrite(id, TimeSpan.Zero, out _));
            second.Dispose();
            readLock.Dispose();
        }
        {
            Assert.True(store.TryWrite(id, out WriteLock<int> writeLock));
            writeLock.Value = 24;
            Assert.Equal(24, writeLock.Value);
            // No second writer, and no reader.
            Assert.False(store.TryWrite(id, TimeSpan.Zero, out _));
            Assert.False(store.TryRead(id, TimeSpan.Zero, out _));
            writeLock.Dispose();
        }
        Assert.True(store.TryRemove(id, out int removed));
        Assert.Equal(24, removed);
        Assert.False(store.TryRead(id, out _));
        Assert.False(store.TryWrite(id, out _));
        Assert.False(store.TryRemove(id, out _));
    }

    [Fact]
    public void StaleForeignAndDefaultIdsAreFalse()
    {
        using var store = RwStore<long>.Create("ids", _dir.Options);
        using var other = RwStore<long>.Create("other", _dir.Options);
        ShmId first = store.Insert(1);
        Assert.True(store.TryRemove(first, out _));
        ShmId reused = store.Insert(2);
        Assert.Equal(first.Slot, reused.Slot);
        Assert.NotEqual(first, reused);

        Assert.False(store.TryRead(first, out _));
        Assert.False(store.TryWrite(first, TimeSpan.Zero, out _));
        Assert.False(store.TryRemove(first, out _));
        Assert.False(store.TryRead(default, out _));
        Assert.False(store.TryWrite(default, out _));
        Assert.False(store.TryRemove(default, out _));

        // An id of another store, even one whose slot and generation are live here too.
        ShmId foreign = other.Insert(3);
        Assert.Equal(first.Value, foreign.Value);
        var foreignOfLive = new ShmId(other.StoreId, reused.Value);
        Assert.False(store.TryRead(foreign, out _));
        Assert.False(store.TryRead(foreignOfLive, out _));
        Assert.False(store.TryWrite(foreignOfLive, TimeSpan.Zero, out _));
        Assert.False(store.TryRemove(foreignOfLive, out _));
        Assert.NotEqual(store.StoreId, other.StoreId);
        Assert.True(other.TryRead(foreign, out ReadLock<long> guard));
        Assert.Equal(3, guard.Value);
        guard.Dispose();

        // Ids that name slots past the store, or generations never used.
        Assert.False(store.TryRead(new ShmId(store.StoreId, ulong.MaxValue), out _));
        Assert.False(store.TryRead(new ShmId(store.StoreId, (5UL << 32) | (uint)reused.Slot), out _));
        Assert.False(store.TryRead(new ShmId(store.StoreId, (1UL << 32) | 12345), out _));

        Assert.True(store.TryRead(reused, out ReadLock<long> live));
        Assert.Equal(2, live.Value);
        live.Dispose();
    }

    [Fact]
    public void IdsPrintAndParse()
    {
        using var store = RwStore<int>.Create("print", _dir.Options);
        ShmId id = store.Insert(7);
        string text = id.ToString();
        Assert.Matches("^[0-9a-f]{16}-[0-9a-f]{16}$", text);
        Assert.Equal(id, ShmId.Parse(text));
        Assert.Equal(text, $"{id}");
        Assert.Throws<FormatException>(() => ShmId.Parse("not an id"));
        Assert.Throws<FormatException>(() => ShmId.Parse(text + "0"));
        Assert.False(ShmId.TryParse(text.Replace('-', ':'), out _));

        using var opened = RwStore<int>.Open("print", _dir.Options);
        Assert.True(opened.TryRead(ShmId.Parse(text), out ReadLock<int> guard));
        Assert.Equal(7, guard.Value);
        guard.Dispose();
    }

    [Fact]
    public void FiniteTimeoutReturnsFalseWhenItPasses()
    {
        using var store = RwStore<int>.Create("timeout", _dir.Options);
        ShmId id = store.Insert(1);
        Assert.True(store.TryWrite(id, out WriteLock<int> writer));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        bool got = OnThread(() => store.TryRead(id, TimeSpan.FromMilliseconds(200), out _));
        Assert.False(got);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(10));
        Assert.False(OnThread(() => store.TryWrite(id, TimeSpan.FromMilliseconds(50), out _)));
        writer.Dispose();

        // The default wait ends in a TimeoutException naming this process as the holder.
        using var shortWait = RwStore<int>.Open("timeout", _dir.With(TimeSpan.FromMilliseconds(100)));
        Assert.True(store.TryRead(id, out ReadLock<int> reader));
        Exception? error = null;
        OnThread(() =>
        {
            error = Record.Exception(() => shortWait.TryWrite(id, out _));
            return true;
        });
        Assert.IsType<TimeoutException>(error);
        Assert.Contains(Environment.ProcessId.ToString(), error!.Message);
        reader.Dispose();

        // After the waiters gave up, nothing is left behind: both locks are free.
        Assert.True(store.TryWrite(id, TimeSpan.Zero, out WriteLock<int> again));
        again.Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => store.TryRead(id, TimeSpan.FromSeconds(-2), out _));
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (the test's locks belong to the test thread).</summary>
    private static bool OnThread(Func<bool> body)
    {
        bool result = false;
        var thread = new Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result;
    }

    [Fact]
    public void WaitingWriterGetsInAndKeepsNewReadersOut()
    {
        using var store = RwStore<long>.Create("pending", _dir.Options);
        ShmId id = store.Insert(0);
        Assert.True(store.TryRead(id, out ReadLock<long> reader));
        bool written = false;
        var writer = new Thread(() =>
        {
            written = store.TryWrite(id, TimeSpan.FromSeconds(20), out WriteLock<long> w);
            w.Value = 5;
            w.Dispose();
        });
        writer.Start();
        // Once the writer waits, a new reader is turned away (the writer is not starved)...
        var deadline = DateTime.UtcNow.AddSeconds(5);
        bool turnedAway = false;
        while (!turnedAway && DateTime.UtcNow < deadline)
        {
            // Read locks are not reentrant-checked: this thread may take a second one beside its first.
            if (store.TryRead(id, TimeSpan.Zero, out ReadLock<long> r))
            {
                r.Dispose();
                Thread.Sleep(1);
            }
            else
            {
                turnedAway = true;
            }
        }
        Assert.True(turnedAway);
        reader.Dispose();
        writer.Join();
        Assert.True(written);
        Assert.True(store.TryRead(id, out ReadLock<long> after));
        Assert.Equal(5, after.Value);
        after.Dispose();
    }

    [Fact]
    public void DisposedLockThrowsOnValueAndDisposesOnce()
    {
        using var store = RwStore<int>.Create("disposed", _dir.Options);
        ShmId id = store.Insert(3);
        Assert.True(store.TryRead(id, out ReadLock<int> guard));
        ReadLock<int> copy = guard;
        guard.Dispose();
        copy.Dispose();
        guard.Dispose();
        Assert.Throws<ObjectDisposedException>(() => guard.Value);
        // The count went down once: a writer gets in, and the next reader too after it.
        Assert.True(store.TryWrite(id, TimeSpan.Zero, out WriteLock<int> writer));
        writer.Value = 4;
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Value);
        Assert.True(store.TryRead(id, TimeSpan.Zero, out ReadLock<int> next));
        Assert.Equal(4, next.Value);
        next.Dispose();
        Assert.Throws<ObjectDisposedException>(() => default(ReadLock<int>).Value);
        default(WriteLock<int>).Dispose();
    }

    [Fact]
    public void LockReleasedOnAnotherThread()
    {
        using var store = RwStore<int>.Create("other-thread", _dir.Options);
        ShmId id = store.Insert(1);
        Assert.True(store.TryWrite(id, out WriteLock<int> writer));
        writer.Value = 2;
        Task.Run(writer.Dispose).Wait();
        Assert.True(store.TryRead(id, TimeSpan.Zero, out ReadLock<int> reader));
        Task.Run(reader.Dispose).Wait();
        Assert.True(store.TryWrite(id, TimeSpan.Zero, out writer));
        Assert.Equal(2, writer.Value);
        writer.Dispose();
    }

    [Fact]
    public void ThreadHoldsAtMostLocksPerThread()
    {
        var options = new ShmOptions { Directory = _dir.Path, LocksPerThread = 4 };
        using var store = RwStore<int>.Create("many", options);
        var ids = Enumerable.Range(0, 5).Select(store.Insert).ToArray();
        var held = new List<ReadLock<int>>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(store.TryRead(ids[i], out ReadLock<int> guard));
            held.Add(guard);
        }
        var error = Assert.Throws<ShmMapException>(() => store.TryRead(ids[4], out _));
        Assert.Contains("LocksPerThread", error.Message);
        held[1].Dispose();
        Assert.True(store.TryWrite(ids[4], out WriteLock<int> writer));
        writer.Dispose();
        foreach (ReadLock<int> guard in held)
        {
            guard.Dispose();
        }
    }

    [Fact]
    public void GrowsAcrossBlocksAndReusesRemovedSlots()
    {
        using var store = RwStore<long>.Create("grow", 10_000, _dir.Options);
        Assert.Equal(10_000, store.Capacity);
        var ids = new ShmId[10_000];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = store.Insert(i * 3L);
        }
        // 10,000 slots span blocks of 1,024, 2,048, 4,096 and 8,192 slots.
        Assert.True(ids[^1].Slot >= 1024 + 2048 + 4096);
        Assert.Throws<MapFullException>(() => store.Insert(-1));
        for (int i = 0; i < ids.Length; i += 2)
        {
            Assert.True(store.TryRemove(ids[i], out long value));
            Assert.Equal(i * 3L, value);
        }
        var again = new HashSet<long>();
        for (int i = 0; i < ids.Length / 2; i++)
        {
            again.Add(store.Insert(-i).Slot);
        }
        Assert.Equal(ids.Where((_, i) => i % 2 == 0).Select(id => id.Slot).ToHashSet(), again);
        Assert.Throws<MapFullException>(() => store.Insert(-1));
        for (int i = 1; i < ids.Length; i += 2)
        {
            Assert.True(store.TryRead(ids[i], TimeSpan.Zero, out ReadLock<long> guard));
            Assert.Equal(i * 3L, guard.Value);
            guard.Dispose();
        }
    }

    [Fact]
    public void CreateArgumentsAndLayoutAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RwStore<int>.Create("zero", 0, _dir.Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RwStore<int>.Create("huge", 1L << 31, _dir.Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RwStore<int>.Create("locks", new ShmOptions { Directory = _dir.Path, LocksPerThread = 0 }));
        using (RwStore<int>.Create("typed", _dir.Options))
        {
        }
        Assert.Throws<LayoutMismatchException>(() => RwStore<long>.Open("typed", _dir.Options));
        Assert.Throws<MapExistsException>(() => RwStore<int>.Create("typed", _dir.Options));
        Assert.Throws<MapNotFoundException>(() => RwStore<int>.Open("absent", _dir.Options));
        using var opened = RwStore<int>.OpenOrCreate("typed", _dir.Options);
        Assert.True(RwStore<int>.Delete("typed", _dir.Options));
    }

    [Fact]
    public void LocksOfADisposedHandleAreReleasedAsADeadProcesssWouldBe()
    {
        using var store = RwStore<Whole4>.Create("closed", _dir.Options);
        ShmId id = store.Insert(Whole4.Of(1));
        var other = RwStore<Whole4>.Open("closed", _dir.Options);
        Assert.True(other.TryWrite(id, out WriteLock<Whole4> writer));
        writer.Value = Whole4.Of(2);
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Value);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Insert(Whole4.Of(3)));
        Assert.Throws<ObjectDisposedException>(() => other.TryRead(id, out _));
        // The unfinished write is undone, as a killed process's would be.
        Assert.True(store.TryRead(id, out ReadLock<Whole4> reader));
        Assert.Equal(Whole4.Of(1), reader.Value);
        reader.Dispose();
    }
}
