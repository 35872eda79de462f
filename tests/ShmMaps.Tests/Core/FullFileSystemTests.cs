using System.Diagnostics;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Core;

/// <summary>
/// On a full file system (a 4 MiB tmpfs, like a container's small /dev/shm) every map refuses what does not fit with
/// a <see cref="MapFullException"/> naming the directory, and keeps what it has: never a SIGBUS.
/// </summary>
public sealed class FullFileSystemTests(ITestOutputHelper output)
{
    /// <summary>The kinds that grow by doubling their table, and the keys each holds at least on the 4 MiB file system.</summary>
    public static TheoryData<string, long> GrowingKinds => new()
    {
        { "SeqMap", 10_000 },
        { "StripedMap", 10_000 },
        // A table with cell slots takes 72 bytes a cell, and the tables grown out of wait out their grace: about 4 K keys.
        { "FolkloreMap", 2_000 },
    };

    [Theory]
    [MemberData(nameof(GrowingKinds))]
    public void AMapGrowsUntilTheFileSystemIsFullThenKeepsEveryKey(string kindName, long fewest)
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        GrowingKind kind = GrowingKind.Named(kindName);
        using IGrowingMap map = kind.Create("growing", 16, fs.Options);
        long key = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; key < 10_000_000; key++)
            {
                map.Insert(key);
            }
        });
        Assert.Contains("bytes free", error.Message);
        output.WriteLine($"{kindName}: {key:N0} keys, generation {map.Generation}, before: {error.Message}");
        Assert.True(key > fewest, $"only {key} keys fit");
        Assert.Equal(key, map.Count);
        for (long k = 0; k < key; k++)
        {
            Assert.True(map.TryGet(k, out long value), $"key {k} is missing");
            Assert.Equal(map.ValueOf(k), value);
        }
        map.Insert(0); // still usable
        Assert.True(map.TryRemove(1, out _));
        map.Insert(1);
        Assert.True(map.TryGet(1, out long again));
        Assert.Equal(map.ValueOf(1), again);
    }

    [Fact]
    public void ABlobMapFillsTheFileSystemThenKeepsEveryValueAndReusesWhatIsFreed()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using var map = BlobMap.Create("blobs", 16, fs.Options);
        static byte[] ValueOf(int key) => Enumerable.Repeat((byte)key, 100 + (key % 900)).ToArray();
        int key = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; key < 10_000_000; key++)
            {
                map.Set($"key-{key}", ValueOf(key));
            }
        });
        Assert.Contains("bytes free", error.Message);
        output.WriteLine($"BlobMap: {key:N0} keys before: {error.Message}");
        Assert.True(key > 1_000, $"only {key} keys fit");
        Assert.Equal(key, map.Count);
        for (int k = 0; k < key; k++)
        {
            Assert.True(map.TryGetValue($"key-{k}", out byte[]? value), $"key {k} is missing");
            Assert.Equal(ValueOf(k), value);
        }
        Assert.True(map.TryRemove("key-1"));
        map.Set("key-1", ValueOf(1)); // its freed block serves it again
        Assert.Equal(ValueOf(1), map["key-1"]);
        Assert.Empty(map.Census().Problems);
        Assert.Equal(0, map.Census().Unaccounted);
    }

    [Fact]
    public void ALeftRightMapGrowsUntilTheFileSystemIsFullThenKeepsEveryKey()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using var writer = LeftRightMap.CreateWriter<long, long>("growing", 8, fs.Options);
        long key = 0;
        var error = Assert.Throws<MapFullException>(() =>
        {
            for (; key < 10_000_000; key += 100)
            {
                using var guard = writer.Guard();
                for (long k = key; k < key + 100; k++)
                {
                    guard.Insert(k, k * 3);
                }
            }
        });
        output.WriteLine($"{writer.PublishedCount:N0} keys published before: {error.Message}");
        Assert.True(writer.PublishedCount > 10_000, $"only {writer.PublishedCount} keys fit");
        using (var guard = writer.Guard()) // the failed batch was published whole but for the keys that did not fit
        {
            guard.Remove(0);
            guard.Insert(0, 1);
        }
        using var reader = LeftRightMap.OpenReader<long, long>("growing", fs.Options);
        using ReadGuard<long, long> snapshot = reader.Guard();
        Assert.Equal(1, snapshot.Get(0));
        for (long k = 1; k < key; k++)
        {
            Assert.Equal(k * 3, snapshot.Get(k));
        }
    }

    [Fact]
    public void FixedTablesThatDoNotFitAreMapFullAtCreateAndLeaveNothing()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        var error = Assert.Throws<MapFullException>(() => SeqMap<long, long>.Create("big", 1_000_000, fs.Options));
        Assert.Contains(fs.Path, error.Message);
        Assert.Contains("bytes free", error.Message);
        Assert.Throws<MapFullException>(() => StripedMap<long, long>.Create("big", 1_000_000, fs.Options));
        Assert.Throws<MapFullException>(() => LeftRightMap.CreateWriter<long, long>("big", 1_000_000, fs.Options));
        Assert.Throws<MapFullException>(() => FolkloreMap<int>.Create("big", 1_000_000, fs.Options));
        Assert.Throws<MapFullException>(() => SeqArray<Guid>.Create("big", 1_000_000, fs.Options));
        Assert.Empty(Directory.EnumerateFileSystemEntries(fs.Path));

        // What does fit is created and filled whole: the failures left no memory taken.
        using var map = SeqMap<long, long>.Create("small", 5_000, fs.Options);
        for (long key = 0; key < 5_000; key++)
        {
            map.Insert(key, key * 3);
        }
        Assert.Equal(5_000, map.Count);
        Assert.All(Enumerable.Range(0, 5_000), key => Assert.Equal(key * 3L, map[key]));
    }

    [Fact]
    public void AVectorGrowingPastTheMemoryIsMapFullAndKeepsWhatItHas()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using var vector = SeqVec<long>.Create("vec", 1_000, fs.Options);
        long pushed = 0;
        MapFullException error = UntilFull(() =>
        {
            Assert.Equal(pushed, vector.Push(pushed * 7));
            pushed++;
        });
        output.WriteLine($"{pushed} elements before: {error.Message}");
        Assert.Contains(fs.Path, error.Message);
        Assert.True(pushed > 100_000, $"only {pushed} pushed"); // 24-byte cells: all but the last chunk of the 4 MiB
        Assert.Equal(pushed, vector.Count);
        for (long i = 0; i < pushed; i++)
        {
            Assert.Equal(i * 7, vector[i]);
        }
        Assert.Null(vector.Get(pushed));
        Assert.Throws<MapFullException>(() => vector.Push(1));
        Assert.Equal(pushed, vector.Count);

        // Another process sees the same elements, and nothing past them.
        using var reopened = SeqVec<long>.Open("vec", fs.Options);
        Assert.Equal(pushed, reopened.Count);
        Assert.Equal((pushed - 1) * 7, reopened[pushed - 1]);
    }

    [Fact]
    public void AStoreGrowingPastTheMemoryIsMapFullAndKeepsWhatItHas()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using var store = RwStore<long>.Create("store", fs.Options);
        var ids = new List<ShmId>();
        MapFullException error = UntilFull(() => ids.Add(store.Insert(ids.Count)));
        output.WriteLine($"{ids.Count} elements before: {error.Message}");
        Assert.Contains("block", error.Message);
        Assert.True(ids.Count >= 1024 * 63, $"only {ids.Count} inserted");
        for (int i = 0; i < ids.Count; i++)
        {
            Assert.True(store.TryRead(ids[i], out ReadLock<long> read));
            using (read)
            {
                Assert.Equal(i, read.Value);
            }
        }
        // A removed element's slot is reused without new memory.
        Assert.True(store.TryRemove(ids[^1], out long last));
        Assert.Equal(ids.Count - 1, last);
        ShmId again = store.Insert(42);
        Assert.True(store.TryRead(again, out ReadLock<long> reused));
        using (reused)
        {
            Assert.Equal(42, reused.Value);
        }
    }

    [Fact]
    public void LongKeysPastTheMemoryAreMapFullAndTheMapKeepsItsKeys()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using var map = FolkloreMap<int>.Create("keys", 5_000, fs.Options);
        var added = new List<string>();
        MapFullException error = UntilFull(() =>
        {
            string key = $"{added.Count:D8}".PadRight(2_000, 'k');
            map.Insert(key, added.Count);
            added.Add(key);
        });
        output.WriteLine($"{added.Count} keys before: {error.Message}");
        Assert.Contains("more bytes of memory", error.Message); // a key of 2,000 bytes takes 32 slots: the map grew until the memory ran out
        Assert.True(added.Count > 100, $"only {added.Count} keys added");
        for (int i = 0; i < added.Count; i++)
        {
            Assert.True(map.TryGetValue(added[i], out int value));
            Assert.Equal(i, value);
        }
        map.Insert(added[0], -1); // the keys it has take no more memory
        Assert.Equal(-1, map[added[0]]);
    }

    [Fact]
    public void AMapWhoseMemoryWasTakenBackIsReservedAgainOnOpenOrRefused()
    {
        using SmallTmpfs? fs = Mount();
        if (fs is null)
        {
            return;
        }
        using (var map = SeqMap<long, long>.Create("holes", 5_000, fs.Options))
        {
            map.Insert(1, 2);
        }
        string file = Path.Combine(fs.Path, "holes.shm");
        // Another process punches holes in the cells (what a sparse copy of the file has), then fills the file system.
        Assert.Equal(0, Run("fallocate", "--punch-hole", "--offset", "65536", "--length", "1048576", file));
        Fill(fs.Path);
        var error = Assert.Throws<MapFullException>(() => SeqMap<long, long>.Open("holes", fs.Options));
        Assert.Contains(fs.Path, error.Message);
        File.Delete(Path.Combine(fs.Path, "filler"));
        using var reopened = SeqMap<long, long>.Open("holes", fs.Options);
        reopened.Insert(3, 4);
        Assert.Equal(4, reopened[3]);
    }

    private SmallTmpfs? Mount()
    {
        SmallTmpfs? fs = SmallTmpfs.TryMount(4, out string why);
        if (fs is null)
        {
            output.WriteLine($"skipped: {why}");
        }
        return fs;
    }

    /// <summary>Runs <paramref name="step"/> until it throws <see cref="MapFullException"/> (within a million steps).</summary>
    private static MapFullException UntilFull(Action step)
    {
        for (int i = 0; i < 1_000_000; i++)
        {
            try
            {
                step();
            }
            catch (MapFullException e)
            {
                return e;
            }
        }
        throw new InvalidOperationException("never full");
    }

    private static void Fill(string directory)
    {
        using var filler = new FileStream(Path.Combine(directory, "filler"), FileMode.CreateNew);
        byte[] chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                filler.Write(chunk);
                filler.Flush();
            }
        }
        catch (IOException)
        {
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(program, arguments);
        process.WaitForExit();
        return process.ExitCode;
    }
}
