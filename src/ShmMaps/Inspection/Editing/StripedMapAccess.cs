namespace ShmMaps.Inspection.Editing;

/// <summary>Entries of a <see cref="StripedMap{TKey,TValue}"/>.</summary>
internal sealed class StripedMapAccess<TKey, TValue> : EntryAccess
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using var map = StripedMap<TKey, TValue>.Open(name, options);
        return map.TryGetValue(TypeCatalog.Parse<TKey>(key, "key"), out TValue value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        using var map = StripedMap<TKey, TValue>.Open(name, options);
        map.Insert(TypeCatalog.Parse<TKey>(key, "key"), TypeCatalog.Parse<TValue>(value, "value"));
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        using var map = StripedMap<TKey, TValue>.Open(name, options);
        return map.TryRemove(TypeCatalog.Parse<TKey>(key, "key"), out _);
    }

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        StripedMap<TKey, TValue>.Create(name, capacity, Capped(options, maxCapacity)).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var map = StripedMap<TKey, TValue>.Open(name, options);
        return Each(entries, entry => map.Insert(TypeCatalog.Parse<TKey>(KeyOf(entry), "key"), TypeCatalog.Parse<TValue>(entry.Value, "value")));
    }

    public override IEnumerable<MapEntry> Read(string name, ShmOptions? options)
    {
        var map = StripedMap<TKey, TValue>.Open(name, options);
        return Formatted(map, map);
    }
}
