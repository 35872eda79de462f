using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

public sealed class LeftRightMapTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A writer program run twice: the first run creates the map, the second opens it and finds what the first published.</summary>
    [Fact]
    public void OpenOrCreateWriterCreatesOnceAndThenOpens()
    {
        using (var first = LeftRightMap.OpenOrCreateWriter<long, double>("twice", 100, _dir.Options))
        {
            using var batch = first.Guard();
            batch.Insert(1, 1.5);
        }
        using (var second = LeftRightMap.OpenOrCreateWriter<long, double>("twice", 100, _dir.Options))
        {
            using (var batch = second.Guard())
            {
                batch.Insert(2, 2.5);
            }
            Assert.Throws<WriterBusyException>(() => LeftRightMap.OpenOrCreateWriter<long, double>("twice", 100, _dir.Options));
        }
        using var reader = LeftRightMap.OpenReader<long, double>("twice", _dir.Options);
        using var snapshot = reader.Guard();
        Assert.True(snapshot.TryGetValue(1, out double one) && one == 1.5);
        Assert.True(snapshot.TryGetValue(2, out double two) && two == 2.5);
    }

    /// <summary>The seed's example, with FixedString32 keys and values in place of Rust strings.</summary>
    [Fact]
    public void SeedExample()
    {
        using var write = LeftRightMap.CreateWriter<FixedString32, FixedString32>("seed", 100, _dir.Options);
        using var read = LeftRightMap.OpenReader<FixedString32, FixedString32>("seed", _dir.Options);

        using (var writeGuard = write.Guard())
        {
            writeGuard.Insert("foo", "bar");
            writeGuard.Insert("fizz", "buzz");
            writeGuard.Insert("baz", "qux");
        }
        using (var guard = read.Guard())
        {
            Assert.Equal("buzz", guard.Get("fizz")!.Value.ToString());
        }

        // Readers on other threads (the seed clones read handles; one handle serves every thread here).
        var t1 = Task.Run(() =>
        {
            using var guard = read.Guard();
            return guard.Get("foo")!.Value.ToString();
        });
        var t2 = Task.Run(() =>
        {
            using var guard = read.Guard();
            return guard.Get("baz")!.Value.ToString();
        });
        Assert.Equal("bar", t1.Result);
        Assert.Equal("qux", t2.Result);

        // A read guard sees a snapshot.
        var readGuard = read.Guard();
        var writeGuard2 = write.Guard();
        Assert.True(writeGuard2.Remove("fizz"));
        Assert.True(writeGuard2.Replace("baz", old => old.ToString() + "!"));
        writeGuard2.Dispose();
        Assert.True(readGuard.Get("fizz").HasValue);
        Assert.Equal("qux", readGuard.Get("baz")!.Value.ToString());
        readGuard.Dispose();

        readGuard = read.Guard();
        Assert.Null(readGuard.Get("fizz"));
        Assert.Equal("qux!", readGuard.Get("baz")!.Value.ToString());

        // Readers go on after the writer is gone.
        write.Dispose();
        Assert.Equal(2, readGuard.Count);
        readGuard.Dispose();
        using var again = read.Guard();
        Assert.Equal(2, again.Count);
    }

    [Fact]
    public void WriteGuardSeesItsOwnChangesReadersSeeThemOnlyAfterPublish()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("own", 1000, _dir.Options);
        using var reader = LeftRightMap.OpenReader<long, long>("own", _dir.Options);
        using (var guard = writer.Guard())
        {
            for (long k = 0; k < 500; k++)
            {
                guard.Insert(k, k * 10);
            }
            Assert.Equal(500, guard.Count);
            Assert.Equal(70, guard.Get(7));
            Assert.False(guard.Replace(1000, v => v + 1));
            using var before = reader.Guard();
            Assert.Equal(0, before.Count);
            Assert.False(before.ContainsKey(7));
        }
        for (int round = 0; round < 5; round++)
        {
            using var guard = writer.Guard();
            Assert.Equal(500 - (100 * round), guard.Count); // the replayed copy has the last batch
            for (long k = round; k < 500; k += 5)
            {
                Assert.True(guard.Remove(k));
            }
            Assert.False(guard.Remove(round));
        }
        using (var after = reader.Guard())
        {
            Assert.Equal(0, after.Count);
            Assert.Empty(after);
        }
        using (var guard = writer.Guard())
        {
            for (long k = 0; k < 1000; k++)
            {
                guard.Insert(k, -k);
            }
        }
        using (var full = reader.Guard())
        {
            Assert.Equal(1000, full.Count);
            Assert.Equal(Enumerable.Range(0, 1000).Select(k => ((long)k, -(long)k)), full.Select(p => (p.Key, p.Value)).Order());
        }
    }

    [Fact]
    public void PublishSequenceAndSnapshotsNeverGoBack()
    {
        using var writer = LeftRightMap.CreateWriter<int, int>("seq", 10, _dir.Options);
        using var reader = LeftRightMap.OpenReader<int, int>("seq", _dir.Options);
        ulong last = 0;
        for (int i = 1; i <= 50; i++)
        {
            using (var guard = writer.Guard())
            {
                guard.Insert(0, i);
            }
            using var read = reader.Guard();
            Assert.Equal((ulong)i, read.Sequence);
            Assert.True(read.Sequence > last);
            last = read.Sequence;
            Assert.Equal(i, read.Get(0));
        }
        using (writer.Guard())
        {
            // no change: nothing is published
        }
        Assert.Equal(50UL, writer.PublishSequence);
    }

    [Fact]
    public void NestedGuardsShareTheOutermostSnapshot()
    {
        using var writer = LeftRightMap.CreateWriter<int, int>("nested", 10, _dir.Options);
        using var reader = LeftRightMap.OpenReader<int, int>("nested", _dir.Options);
        using (var w = writer.Guard())
        {
            w.Insert(1, 1);
        }
        using var outer = reader.Guard();
        using (var w = writer.Guard())
        {
            w.Insert(1, 2);
        }
        using (var inner = reader.Guard())
        {
            Assert.Equal(1, inner.Get(1));
            Assert.Equal(outer.Sequence, inner.Sequence);
        }
        Assert.Equal(1, outer.Get(1));
    }

    [Fact]
    public void MisuseIsAClearError()
    {
        using var writer = LeftRightMap.CreateWriter<int, int>("misuse", 10, _dir.Options);
        var reader = LeftRightMap.OpenReader<int, int>("misuse", _dir.Options);
        using (var w = writer.Guard())
        {
            Assert.Throws<InvalidOperationException>(() => writer.Guard());
        }
        var guard = reader.Guard();
        guard.Dispose();
        Assert.Throws<ObjectDisposedException>(() => guard.Get(1));
        Assert.Throws<InvalidOperationException>(() => guard.Dispose());
        Assert.Throws<ObjectDisposedException>(() => default(ReadGuard<int, int>).Get(1));

        var outer = reader.Guard();
        var inner = reader.Guard();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose()); // innermost first
        inner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => inner.Get(1)); // ended, though its outer guard is open
        Assert.Null(outer.Get(1));
        outer.Dispose();

        var nested = new List<ReadGuard<int, int>>();
        for (int depth = 1; depth <= 65_535; depth++)
        {
            nested.Add(reader.Guard());
        }
        Assert.Throws<InvalidOperationException>(() => reader.Guard()); // nested too deep, and nothing changed
        for (int i = nested.Count - 1; i >= 0; i--)
        {
            nested[i].Dispose();
        }
        Assert.Throws<ObjectDisposedException>(() => nested[0].Get(1));

        var held = reader.Guard();
        Exception? elsewhere = null;
        var thread = new Thread(() => elsewhere = Record.Exception(() => held.Dispose()));
        thread.Start();
        thread.Join();
        Assert.IsType<InvalidOperationException>(elsewhere);
        held.Dispose();

        var open = reader.Guard();
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => open.Get(1));
        Assert.Throws<ObjectDisposedException>(() => reader.Guard());
        open.Dispose(); // the end of a using after the reader's: nothing left to release, no error

        Assert.Throws<LayoutMismatchException>(() => LeftRightMap.OpenReader<int, long>("misuse", _dir.Options));
        Assert.Throws<MapNotFoundException>(() => LeftRightMap.OpenReader<int, int>("absent", _dir.Options));
    }

    [Fact]
    public void AGuardDisposedOnAnotherThreadThrowsAndEndsAtItsThreadsNextGuard()
    {
        using var writer = LeftRightMap.CreateWriter<int, int>("elsewhere", 10, _dir.Options);
        using var reader = LeftRightMap.OpenReader<int, int>("elsewhere", _dir.Options);
        Publish(writer, 1);
        var held = reader.Guard(); // as a using across an await whose continuation runs on another thread
        Assert.Equal(1, held.Get(1));
        Exception? elsewhere = null;
        var thread = new Thread(() => elsewhere = Record.Exception(() => held.Dispose()));
        thread.Start();
        thread.Join();
        Assert.IsType<InvalidOperationException>(elsewhere);

        // The guard still pins its copy: the writer's next batch waits for it...
        Publish(writer, 2);
        Task next = Task.Run(() => Publish(writer, 3));
        Thread.Sleep(300);
        Assert.False(next.IsCompleted, "the writer rewrote a copy a guard still pinned");

        // ...until its own thread takes a guard, which ends it instead of nesting in its old snapshot.
        using (var fresh = reader.Guard())
        {
            Assert.True(fresh.Get(1) >= 2);
        }
        Assert.True(next.Wait(TimeSpan.FromSeconds(10)));
        using (var latest = reader.Guard())
        {
            Assert.Equal(3, latest.Get(1));
        }
        Assert.Throws<ObjectDisposedException>(() => held.Get(1));
    }

    private static void Publish(LeftRightWriter<int, int> writer, int value)
    {
        using WriteGuard<int, int> batch = writer.Guard();
        batch.Insert(1, value);
    }

    [Fact]
    public void SecondWriterIsBusyUntilTheFirstCloses()
    {
        var writer = LeftRightMap.CreateWriter<int, int>("busy", 10, _dir.Options);
        using (var w = writer.Guard())
        {
            w.Insert(1, 1);
        }
        var busy = Assert.Throws<WriterBusyException>(() => LeftRightMap.OpenWriter<int, int>("busy", _dir.Options));
        Assert.Contains($"pid {Environment.ProcessId}", busy.Message);
        using (var w = writer.Guard())
        {
            w.Insert(2, 2); // never published: the writer closes under the guard
            writer.Dispose();
            Assert.Throws<ObjectDisposedException>(() => w.Insert(3, 3));
        }
        using var next = LeftRightMap.OpenWriter<int, int>("busy", _dir.Options);
        using (var w = next.Guard())
        {
            Assert.Equal(1, w.Count);
            Assert.Equal(1, w.Get(1));
            Assert.Null(w.Get(2));
        }
    }

    [Fact]
    public void FullTableIsMapFullAndStaysUsable()
    {
        using var writer = LeftRightMap.CreateWriter<int, int>("full", 3, new ShmOptions { Directory = _dir.Path, MaxLoad = 1.0, MaxCapacity = 3 });
        using var w = writer.Guard();
        int added = 0;
        void FillUp()
        {
            for (int k = 0; k < 100; k++)
            {
                w.Insert(k, k);
                added++;
            }
        }
        Assert.Throws<MapFullException>(FillUp);
        Assert.Equal(added, w.Count);
        Assert.True(w.Remove(0));
        w.Insert(100, 100);
        Assert.Equal(100, w.Get(100));
    }
}
