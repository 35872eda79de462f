namespace ShmMaps.Tests.Support;

/// <summary>A <see cref="SeqMap{TKey,TValue}"/> or <see cref="StripedMap{TKey,TValue}"/> of long keys as an <see cref="IGrowingMap"/>: key i holds i x 10; a StripedMap adds every fourth key through a KeyLock, as its child does.</summary>
public sealed class LongKeyedMap : IGrowingMap
{
    private readonly SeqMap<long, long>? _seq;
    private readonly StripedMap<long, long>? _striped;

    public LongKeyedMap(SeqMap<long, long> map) => _seq = map;

    public LongKeyedMap(StripedMap<long, long> map) => _striped = map;

    public long Count => _seq?.Count ?? _striped!.Count;

    public int Generation => _seq?.Generation ?? _striped!.Generation;

    public long ValueOf(long i) => i * 10;

    public void Insert(long i)
    {
        if (_seq is not null)
        {
            _seq.Insert(i, ValueOf(i));
        }
        else if (i % 4 == 0)
        {
            StripedChildRoles.InsertLocked(_striped!, i, ValueOf(i));
        }
        else
        {
            _striped!.Insert(i, ValueOf(i));
        }
    }

    public bool TryGet(long i, out long value) => _seq is not null ? _seq.TryGetValue(i, out value) : _striped!.TryGetValue(i, out value);

    public bool TryRemove(long i, out long value) => _seq is not null ? _seq.TryRemove(i, out value) : _striped!.TryRemove(i, out value);

    public long Enumerated() => _seq?.Count() ?? _striped!.Count();

    public void Dispose()
    {
        _seq?.Dispose();
        _striped?.Dispose();
    }
}
