using System.Collections.Concurrent;

namespace ShmMaps.Workload;

/// <summary>
/// <see cref="ConcurrentDictionary{TKey,TValue}"/> in one process: the in-process bound. Its "processes" are threads of
/// one worker, which loads it; its memory is the managed heap the load took.
/// </summary>
internal sealed class DictionaryKind : StoreKind
{
    private ConcurrentDictionary<long, long>? _longs;
    private ConcurrentDictionary<long, Value100>? _larges;
    private long _memory;

    public override string Name => "concurrentdictionary";

    public override bool InProcess => true;

    public override void Load(RunSpec spec)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        if (spec.ValueSize == 8)
        {
            _longs = new ConcurrentDictionary<long, long>();
            for (long i = 0; i < spec.Keys; i++)
            {
                _longs[KeyChooser.KeyOf(i)] = Initial(i);
            }
        }
        else
        {
            _larges = new ConcurrentDictionary<long, Value100>();
            for (long i = 0; i < spec.Keys; i++)
            {
                _larges[KeyChooser.KeyOf(i)] = Values.Make<Value100>(Initial(i));
            }
        }
        _memory = GC.GetTotalMemory(forceFullCollection: true) - before;
    }

    public override IStore Open(RunSpec spec, int worker) => _longs is not null ? new Longs(_longs) : new Larges(_larges!);

    public override long? MemoryBytes(RunSpec spec) => _memory;

    public override void Drop(RunSpec spec)
    {
        _longs = null;
        _larges = null;
    }

    private sealed class Longs(ConcurrentDictionary<long, long> map) : IStore
    {
        public long Get(long index) => map.TryGetValue(KeyChooser.KeyOf(index), out long value) ? value : 0;

        public void Put(long index, long stamp) => map[KeyChooser.KeyOf(index)] = stamp;

        public void Increment(long index) => map.AddOrUpdate(KeyChooser.KeyOf(index), 1, static (_, v) => v + 1);

        public void Dispose()
        {
        }
    }

    private sealed class Larges(ConcurrentDictionary<long, Value100> map) : IStore
    {
        public long Get(long index) => map.TryGetValue(KeyChooser.KeyOf(index), out Value100 value) ? Values.StampOf(value) : 0;

        public void Put(long index, long stamp) => map[KeyChooser.KeyOf(index)] = Values.Make<Value100>(stamp);

        public void Increment(long index) => map.AddOrUpdate(KeyChooser.KeyOf(index), Values.Make<Value100>(1), static (_, v) => Values.Make<Value100>(Values.StampOf(v) + 1));

        public void Dispose()
        {
        }
    }
}
