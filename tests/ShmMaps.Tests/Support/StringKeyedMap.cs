namespace ShmMaps.Tests.Support;

/// <summary>A <see cref="FolkloreMap{TValue}"/> as an <see cref="IGrowingMap"/>: key i is <see cref="FolkloreChildRoles.GrowthKey"/>(i), holding i.</summary>
public sealed class StringKeyedMap(FolkloreMap<int> map) : IGrowingMap
{
    public long Count => map.Count;

    public int Generation => map.Generation;

    public long ValueOf(long i) => (int)i;

    public void Insert(long i) => map.Insert(FolkloreChildRoles.GrowthKey(i), (int)i);

    public bool TryGet(long i, out long value)
    {
        bool found = map.TryGetValue(FolkloreChildRoles.GrowthKey(i), out int stored);
        value = stored;
        return found;
    }

    public bool TryRemove(long i, out long value)
    {
        bool removed = map.TryRemove(FolkloreChildRoles.GrowthKey(i), out int stored);
        value = stored;
        return removed;
    }

    public long Enumerated() => map.Count();

    public void Dispose() => map.Dispose();
}
