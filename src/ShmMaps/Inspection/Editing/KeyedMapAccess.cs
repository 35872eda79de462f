namespace ShmMaps.Inspection.Editing;

/// <summary>
/// Entries of any keyed map kind (<see cref="SeqMap{TKey,TValue}"/>, <see cref="StripedMap{TKey,TValue}"/>,
/// <see cref="FolkloreMap{TValue}"/>) through the surface they share, <see cref="IShmMapOpener{TSelf,TKey,TValue}"/>.
/// </summary>
internal sealed class KeyedMapAccess<TMap, TKey, TValue> : EntryAccess
    where TMap : IShmMapOpener<TMap, TKey, TValue>
    where TValue : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        TKey parsed = TypeCatalog.Parse<TKey>(key, "key");
        using TMap map = TMap.Open(name, options);
        return map.TryGetValue(parsed, out TValue value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        (TKey parsedKey, TValue parsedValue) = (TypeCatalog.Parse<TKey>(key, "key"), TypeCatalog.Parse<TValue>(value, "value"));
        using TMap map = TMap.Open(name, options);
        map.Insert(parsedKey, parsedValue);
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        TKey parsed = TypeCatalog.Parse<TKey>(key, "key");
        using TMap map = TMap.Open(name, options);
        return map.TryRemove(parsed, out _);
    }

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        TMap.Create(name, capacity, Capped(options, maxCapacity)).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using TMap map = TMap.Open(name, options);
        return Each(entries, entry => map.Insert(TypeCatalog.Parse<TKey>(KeyOf(entry), "key"), TypeCatalog.Parse<TValue>(entry.Value, "value")));
    }

    public override IEnumerable<MapEntry> Read(string name, ShmOptions? options)
    {
        TMap map = TMap.Open(name, options);
        return Formatted(map, map);
    }
}
