namespace ShmMaps.Tests.Fuzz;

/// <summary>
/// One map kind as the hostile-file fuzzer uses it: a small template map with content, and everything a user does
/// with a map of that kind, run against a damaged copy of it.
/// </summary>
public abstract class FuzzKind
{
    /// <summary>The options templates are made and damaged copies used with: few lanes and slots (every one is hit
    /// often), and a short lock timeout (a lock that names a live owner ends in a <see cref="TimeoutException"/>). No
    /// cap on growth: a damaged count or state must not make a map grow into what its file cannot account for.</summary>
    public static ShmOptions OptionsFor(string directory) => new()
    {
        Directory = directory,
        WriterLanes = 4,
        ReaderSlots = 4,
        LocksPerThread = 4,
        LockTimeout = TimeSpan.FromMilliseconds(100),
    };

    public static IReadOnlyList<FuzzKind> All { get; } =
    [
        new SeqMapFuzz(), new SeqArrayFuzz(), new SeqVecFuzz(), new FolkloreFuzz(), new StripedFuzz(), new LeftRightFuzz(), new RwStoreFuzz(),
    ];

    public static FuzzKind Named(string name) => All.Single(kind => kind.Name == name);

    public abstract string Name { get; }

    /// <summary>A key of the template, as <c>shm get</c> takes it.</summary>
    public virtual string SomeKey => "3";

    /// <summary>Creates the template map <paramref name="name"/> with some entries.</summary>
    public abstract void CreateTemplate(string name, ShmOptions options);

    /// <summary>Opens map <paramref name="name"/> and uses it every way a user does; each step goes through <paramref name="step"/>.</summary>
    public abstract void Exercise(string name, ShmOptions options, FuzzSteps step);

    /// <summary>Indexes a caller may ask for around and far past <paramref name="count"/> (each answered "none", never a fault).</summary>
    protected static long[] OutOfRange(long count) =>
        [count, count + 1, count + 4096, -1, long.MaxValue, long.MinValue, 1L << 31, 1L << 40, uint.MaxValue];
}

/// <summary>Runs one step of an exercise: an exception of the kinds a damaged file may cause ends only that step.</summary>
public delegate void FuzzSteps(string what, Action action);

/// <summary>What a map of long keys and values goes through (SeqMap and StripedMap have the same surface).</summary>
internal abstract class LongMapFuzz<TMap> : FuzzKind where TMap : class, IDisposable, IEnumerable<KeyValuePair<long, long>>
{
    public override void CreateTemplate(string name, ShmOptions options)
    {
        using TMap map = Create(name, options);
        for (long key = 0; key < 40; key++)
        {
            Insert(map, key, key * 10);
        }
        TryRemove(map, 7);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        TMap? map = null;
        step("open", () => map = Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => Count(map));
            step("get", () =>
            {
                for (long key = 0; key < 48; key++)
                {
                    TryGet(map, key);
                }
            });
            step("enumerate", () => _ = map.Take(1000).Count());
            step("insert", () =>
            {
                Insert(map, 3, 33);
                Insert(map, 1000, 1);
                TryAdd(map, 1001, 2);
            });
            step("remove", () => TryRemove(map, 5));
            ExerciseMore(map, step);
        }
    }

    protected abstract TMap Create(string name, ShmOptions options);

    protected abstract TMap Open(string name, ShmOptions options);

    protected abstract long Count(TMap map);

    protected abstract bool TryGet(TMap map, long key);

    protected abstract void Insert(TMap map, long key, long value);

    protected abstract bool TryAdd(TMap map, long key, long value);

    protected abstract bool TryRemove(TMap map, long key);

    /// <summary>What only this kind does.</summary>
    protected virtual void ExerciseMore(TMap map, FuzzSteps step)
    {
    }
}

internal sealed class SeqMapFuzz : LongMapFuzz<SeqMap<long, long>>
{
    public override string Name => "SeqMap";

    protected override SeqMap<long, long> Create(string name, ShmOptions options) => SeqMap<long, long>.Create(name, 4, options); // grows twice for the template's keys

    protected override SeqMap<long, long> Open(string name, ShmOptions options) => SeqMap<long, long>.Open(name, options);

    protected override long Count(SeqMap<long, long> map) => map.Count;

    protected override bool TryGet(SeqMap<long, long> map, long key) => map.TryGetValue(key, out _);

    protected override void Insert(SeqMap<long, long> map, long key, long value) => map.Insert(key, value);

    protected override bool TryAdd(SeqMap<long, long> map, long key, long value) => map.TryAdd(key, value);

    protected override bool TryRemove(SeqMap<long, long> map, long key) => map.TryRemove(key, out _);
}

internal sealed class SeqArrayFuzz : FuzzKind
{
    public override string Name => "SeqArray";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var array = SeqArray<long>.Create(name, 100, options);
        for (long i = 0; i < 100; i += 3)
        {
            array[i] = i;
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        SeqArray<long>? array = null;
        step("open", () => array = SeqArray<long>.Open(name, options));
        if (array is null)
        {
            return;
        }
        using (array)
        {
            step("get", () =>
            {
                for (long i = 0; i < Math.Min(array.Length, 200); i++)
                {
                    array.TryGet(i, out _);
                }
            });
            step("set", () =>
            {
                if (array.Length > 5)
                {
                    array[5] = 55;
                }
            });
            step("out of range", () =>
            {
                foreach (long index in OutOfRange(array.Length))
                {
                    array.TryGet(index, out _);
                }
            });
        }
    }
}

internal sealed class SeqVecFuzz : FuzzKind
{
    public override string Name => "SeqVec";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var vector = SeqVec<long>.Create(name, 16, options, maxCapacity: 4096);
        for (long i = 0; i < 50; i++)
        {
            vector.Push(i);
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        SeqVec<long>? vector = null;
        step("open", () => vector = SeqVec<long>.Open(name, options));
        if (vector is null)
        {
            return;
        }
        using (vector)
        {
            step("count", () => _ = vector.Count + vector.Capacity);
            step("get", () =>
            {
                for (long i = 0; i < Math.Min(vector.Count, 200); i++)
                {
                    vector.TryGet(i, out _);
                }
            });
            step("push", () => vector.Push(7));
            step("out of range", () =>
            {
                foreach (long index in OutOfRange(vector.Count))
                {
                    vector.TryGet(index, out _);
                }
            });
            step("set", () =>
            {
                if (vector.Count > 2)
                {
                    vector[2] = 22;
                }
            });
        }
    }
}

internal sealed class FolkloreFuzz : FuzzKind
{
    public override string Name => "FolkloreMap";

    public override string SomeKey => Key(1);

    private static string Key(int i) => i % 3 == 0 ? $"a-long-key-that-does-not-fit-in-its-slot-{i}" : $"key-{i}";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var map = FolkloreMap<int>.Create(name, 64, options);
        for (int i = 0; i < 40; i++)
        {
            map.Insert(Key(i), i);
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        FolkloreMap<int>? map = null;
        step("open", () => map = FolkloreMap<int>.Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => _ = map.Count);
            step("get", () =>
            {
                for (int i = 0; i < 48; i++)
                {
                    map.TryGetValue(Key(i), out _);
                    map.TryGetValue(System.Text.Encoding.UTF8.GetBytes(Key(i)), out _);
                }
            });
            step("enumerate", () => _ = map.Take(1000).Count());
            step("insert", () =>
            {
                map.Insert(Key(3), 33);
                map.Insert(Key(300), 1);
                map.TryAdd(Key(301), 2);
                map.AddOrUpdate(Key(4), 1, v => v + 1);
            });
        }
    }
}

internal sealed class StripedFuzz : LongMapFuzz<StripedMap<long, long>>
{
    public override string Name => "StripedMap";

    protected override StripedMap<long, long> Create(string name, ShmOptions options) => StripedMap<long, long>.Create(name, 64, options);

    protected override StripedMap<long, long> Open(string name, ShmOptions options) => StripedMap<long, long>.Open(name, options);

    protected override long Count(StripedMap<long, long> map) => map.Count;

    protected override bool TryGet(StripedMap<long, long> map, long key) => map.TryGetValue(key, out _);

    protected override void Insert(StripedMap<long, long> map, long key, long value) => map.Insert(key, value);

    protected override bool TryAdd(StripedMap<long, long> map, long key, long value) => map.TryAdd(key, value);

    protected override bool TryRemove(StripedMap<long, long> map, long key) => map.TryRemove(key, out _);

    protected override void ExerciseMore(StripedMap<long, long> map, FuzzSteps step)
    {
        step("add or update", () => map.AddOrUpdate(4, 1, (_, v) => v + 1));
        step("lock", () =>
        {
            using KeyLock<long, long> scope = map.Lock(1, 2);
            scope[1] = scope.Get(2) ?? 0;
            scope.TryRemove(2, out _);
        });
    }
}

internal sealed class LeftRightFuzz : FuzzKind
{
    public override string Name => "LeftRightMap";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var writer = LeftRightMap.CreateWriter<long, long>(name, 64, options);
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            for (long key = 0; key < 40; key++)
            {
                guard.Insert(key, key * 10);
            }
        }
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            guard.Remove(7);
        }
        using var reader = LeftRightMap.OpenReader<long, long>(name, options);
        using ReadGuard<long, long> read = reader.Guard();
        read.TryGetValue(1, out _);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        LeftRightReader<long, long>? reader = null;
        step("open reader", () => reader = LeftRightMap.OpenReader<long, long>(name, options));
        if (reader is not null)
        {
            using (reader)
            {
                step("read", () =>
                {
                    using ReadGuard<long, long> guard = reader.Guard();
                    for (long key = 0; key < 48; key++)
                    {
                        guard.TryGetValue(key, out _);
                    }
                    _ = guard.Count;
                    _ = guard.Take(1000).Count();
                });
            }
        }
        LeftRightWriter<long, long>? writer = null;
        step("open writer", () => writer = LeftRightMap.OpenWriter<long, long>(name, options));
        if (writer is null)
        {
            return;
        }
        using (writer)
        {
            step("write", () =>
            {
                using WriteGuard<long, long> guard = writer.Guard();
                guard.Insert(3, 33);
                guard.Insert(1000, 1);
                guard.Remove(5);
                guard.Replace(4, v => v + 1);
                _ = guard.Get(6);
                _ = guard.Count;
            });
            step("census", () => writer.ReaderSlots());
        }
    }
}

internal sealed class RwStoreFuzz : FuzzKind
{
    public override string Name => "RwStore";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var store = RwStore<long>.Create(name, 4096, options);
        var ids = new List<ShmId>();
        for (int i = 0; i < 40; i++)
        {
            ids.Add(store.Insert(i));
        }
        store.TryRemove(ids[7], out _);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        RwStore<long>? store = null;
        step("open", () => store = RwStore<long>.Open(name, options));
        if (store is null)
        {
            return;
        }
        using (store)
        {
            // Ids as the template handed them out, with the damaged file's store identity (a seed flip makes them foreign).
            ShmId[] ids = Enumerable.Range(0, 48).Select(i => new ShmId(store.StoreId, ((ulong)(i == 7 ? 2 : 1) << 32) | (uint)i)).ToArray();
            step("read", () =>
            {
                foreach (ShmId id in ids)
                {
                    if (store.TryRead(id, out ReadLock<long> guard))
                    {
                        guard.Dispose();
                    }
                }
            });
            step("write", () =>
            {
                if (store.TryWrite(ids[3], out WriteLock<long> guard))
                {
                    guard.Value = 33;
                    guard.Dispose();
                }
            });
            step("insert", () => store.Insert(1000));
            step("out of range", () =>
            {
                foreach (long slot in OutOfRange(4096))
                {
                    var id = new ShmId(store.StoreId, (1UL << 32) | (uint)slot);
                    if (store.TryRead(id, TimeSpan.Zero, out ReadLock<long> guard))
                    {
                        guard.Dispose();
                    }
                }
            });
            step("remove", () => store.TryRemove(ids[5], out _));
        }
    }
}
