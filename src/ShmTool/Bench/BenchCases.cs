using System.Collections.Concurrent;

namespace ShmMaps.Tool.Bench;

/// <summary>
/// The cases of <c>shm bench</c>, over maps of <c>keys</c> entries in <c>directory</c>: a lookup and an update of each
/// kind beside the same on a ConcurrentDictionary holding the same keys. Keys are visited in a random order.
/// </summary>
internal sealed class BenchCases : IDisposable
{
    private readonly List<IDisposable> _maps = [];

    public BenchCases(int keys, ShmOptions options)
    {
        var random = new Random(42);
        long[] order = [.. Enumerable.Range(0, keys).Select(_ => (long)random.Next(keys))];
        string[] names = [.. Enumerable.Range(0, keys).Select(i => $"service-{i % 100}/requests/{i}")];
        string[] nameOrder = [.. order.Select(k => names[k])];
        var longs = new ConcurrentDictionary<long, long>();
        var strings = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        for (long k = 0; k < keys; k++)
        {
            longs[k] = k;
            strings[names[k]] = (int)k;
        }

        var seq = Keep(SeqMap<long, long>.Create("bench-seqmap", keys, options));
        var striped = Keep(StripedMap<long, long>.Create("bench-striped", keys, options));
        var folklore = Keep(FolkloreMap<int>.Create("bench-folklore", keys, options));
        var writer = Keep(LeftRightMap.CreateWriter<long, long>("bench-leftright", keys, options));
        var store = Keep(RwStore<long>.Create("bench-rwstore", keys, options));
        var ids = new ShmId[keys];
        using (WriteGuard<long, long> guard = writer.Guard())
        {
            for (long k = 0; k < keys; k++)
            {
                seq.Insert(k, k);
                striped.Insert(k, k);
                folklore.Insert(names[k], (int)k);
                guard.Insert(k, k);
                ids[k] = store.Insert(k);
            }
        }
        var reader = Keep(LeftRightMap.OpenReader<long, long>("bench-leftright", options));
        ShmId[] idOrder = [.. order.Select(k => ids[k])];

        long sink = 0;
        int at = 0;
        int Next() => at = at + 1 == keys ? 0 : at + 1;
        void DictionaryGet(int n)
        {
            for (int i = 0; i < n; i++)
            {
                longs.TryGetValue(order[Next()], out long v);
                sink += v;
            }
        }
        void DictionaryUpdate(int n)
        {
            for (int i = 0; i < n; i++)
            {
                longs.AddOrUpdate(order[Next()], 1, static (_, v) => v + 1);
            }
        }
        Cases =
        [
            new("SeqMap", "get", n => { for (int i = 0; i < n; i++) { seq.TryGetValue(order[Next()], out long v); sink += v; } }, DictionaryGet),
            new("SeqMap", "set", n => { for (int i = 0; i < n; i++) { seq.Insert(order[Next()], i); } }, n => { for (int i = 0; i < n; i++) { longs[order[Next()]] = i; } }),
            new("StripedMap", "get", n => { for (int i = 0; i < n; i++) { striped.TryGetValue(order[Next()], out long v); sink += v; } }, DictionaryGet),
            new("StripedMap", "add or update", n => { for (int i = 0; i < n; i++) { striped.AddOrUpdate(order[Next()], 1, static (_, v) => v + 1); } }, DictionaryUpdate),
            new("FolkloreMap", "get (string key)", n => { for (int i = 0; i < n; i++) { folklore.TryGetValue(nameOrder[Next()], out int v); sink += v; } },
                n => { for (int i = 0; i < n; i++) { strings.TryGetValue(nameOrder[Next()], out int v); sink += v; } }),
            new("FolkloreMap", "increment", n => { for (int i = 0; i < n; i++) { folklore.AddOrUpdate(nameOrder[Next()], 1, static v => v + 1); } },
                n => { for (int i = 0; i < n; i++) { strings.AddOrUpdate(nameOrder[Next()], 1, static (_, v) => v + 1); } }),
            new("LeftRightMap", "get in its own guard", n =>
            {
                for (int i = 0; i < n; i++)
                {
                    using ReadGuard<long, long> guard = reader.Guard();
                    guard.TryGetValue(order[Next()], out long v);
                    sink += v;
                }
            }, DictionaryGet),
            new("RwStore", "read under its lock", n =>
            {
                for (int i = 0; i < n; i++)
                {
                    if (store.TryRead(idOrder[Next()], out ReadLock<long> read))
                    {
                        sink += read.Value;
                        read.Dispose();
                    }
                }
            }, DictionaryGet),
        ];
        Sink = () => sink;
    }

    public IReadOnlyList<BenchCase> Cases { get; }

    /// <summary>What the lookups read (kept so that no lookup is optimized away).</summary>
    public Func<long> Sink { get; }

    public void Dispose()
    {
        foreach (IDisposable map in _maps)
        {
            map.Dispose();
        }
    }

    private T Keep<T>(T map) where T : IDisposable
    {
        _maps.Add(map);
        return map;
    }
}
