namespace ShmMaps.Tests.Fuzz;

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
