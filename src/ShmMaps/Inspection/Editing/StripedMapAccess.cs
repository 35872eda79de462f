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
}
