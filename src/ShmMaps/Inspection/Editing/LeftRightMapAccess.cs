namespace ShmMaps.Inspection.Editing;

/// <summary>
/// Entries of a <see cref="LeftRightMap"/>: read under a read guard; changed through the map's writer, one change per
/// publish (<see cref="WriterBusyException"/> naming the live writer if one holds it).
/// </summary>
internal sealed class LeftRightMapAccess<TKey, TValue> : EntryAccess
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using var reader = LeftRightMap.OpenReader<TKey, TValue>(name, options);
        using ReadGuard<TKey, TValue> guard = reader.Guard();
        return guard.TryGetValue(TypeCatalog.Parse<TKey>(key, "key"), out TValue value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        TKey parsedKey = TypeCatalog.Parse<TKey>(key, "key");
        TValue parsedValue = TypeCatalog.Parse<TValue>(value, "value");
        using var writer = LeftRightMap.OpenWriter<TKey, TValue>(name, options);
        using WriteGuard<TKey, TValue> guard = writer.Guard();
        guard.Insert(parsedKey, parsedValue);
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        TKey parsedKey = TypeCatalog.Parse<TKey>(key, "key");
        using var writer = LeftRightMap.OpenWriter<TKey, TValue>(name, options);
        using WriteGuard<TKey, TValue> guard = writer.Guard();
        return guard.Remove(parsedKey);
    }
}
