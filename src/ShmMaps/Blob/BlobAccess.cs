namespace ShmMaps.Blob;

/// <summary>Entries of a BlobMap by text: keys as they are, values as <see cref="BlobInspector.EntryOf"/> shows them (a shared cache's entry: its payload).</summary>
internal sealed class BlobAccess : EntryAccess
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using BlobMap map = BlobMap.Open(name, options);
        return map.TryGetValue(key, out byte[]? value) ? BlobInspector.EntryOf(0, key, value).Value : null; // a cache entry's payload
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        using BlobMap map = BlobMap.Open(name, options);
        map.Set(key, BlobInspector.ParseValue(value));
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        using BlobMap map = BlobMap.Open(name, options);
        return map.TryRemove(key);
    }

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) => BlobMap.Create(name, capacity, options).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using BlobMap map = BlobMap.Open(name, options);
        return Each(entries, entry => map.Set(entry.Key ?? throw new FormatException($"entry {entry.Index} has no key"), BlobInspector.ValueOf(entry)));
    }
}
