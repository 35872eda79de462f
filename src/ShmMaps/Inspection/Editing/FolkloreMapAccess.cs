namespace ShmMaps.Inspection.Editing;

/// <summary>Entries of a <see cref="FolkloreMap{TValue}"/>: string keys.</summary>
internal sealed class FolkloreMapAccess<TValue> : EntryAccess
    where TValue : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using var map = FolkloreMap<TValue>.Open(name, options);
        return map.TryGetValue(key, out TValue value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        TValue parsed = TypeCatalog.Parse<TValue>(value, "value");
        using var map = FolkloreMap<TValue>.Open(name, options);
        map.Insert(key, parsed);
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        using var map = FolkloreMap<TValue>.Open(name, options);
        return map.TryRemove(key, out _);
    }

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        FolkloreMap<TValue>.Create(name, capacity, Capped(options, maxCapacity)).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var map = FolkloreMap<TValue>.Open(name, options);
        return Each(entries, entry => map.Insert(KeyOf(entry), TypeCatalog.Parse<TValue>(entry.Value, "value")));
    }

    public override IEnumerable<MapEntry> Read(string name, ShmOptions? options)
    {
        var map = FolkloreMap<TValue>.Open(name, options);
        return Formatted(map, map);
    }
}
