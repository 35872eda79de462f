namespace ShmMaps.LeftRight;

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

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        LeftRightMap.CreateWriter<TKey, TValue>(name, capacity, Capped(options, maxCapacity)).Dispose();

    /// <summary>All the entries in one write guard: readers see none of them, then all.</summary>
    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var writer = LeftRightMap.OpenWriter<TKey, TValue>(name, options);
        using WriteGuard<TKey, TValue> guard = writer.Guard();
        return Each(entries, entry => guard.Insert(TypeCatalog.Parse<TKey>(KeyOf(entry), "key"), TypeCatalog.Parse<TValue>(entry.Value, "value")));
    }

    /// <summary>One read guard: the entries as one publish left them.</summary>
    public override IEnumerable<MapEntry> Read(string name, ShmOptions? options)
    {
        using var reader = LeftRightMap.OpenReader<TKey, TValue>(name, options);
        ReadGuard<TKey, TValue> guard = reader.Guard();
        foreach (MapEntry entry in Formatted(guard, guard))
        {
            yield return entry;
        }
    }
}
