namespace ShmMaps.Rw;

/// <summary>Elements of an <see cref="RwStore{T}"/> by id, each read or written under its lock; <see cref="EntryAccess.NewKey"/> inserts.</summary>
internal sealed class RwStoreAccess<T> : EntryAccess
    where T : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        ShmId id = Id(key);
        using var store = RwStore<T>.Open(name, options);
        if (!store.TryRead(id, out ReadLock<T> guard))
        {
            return null;
        }
        using (guard)
        {
            return TypeCatalog.Format(guard.Value);
        }
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        T parsed = TypeCatalog.Parse<T>(value, "value");
        using var store = RwStore<T>.Open(name, options);
        if (key == NewKey)
        {
            return store.Insert(parsed).ToString();
        }
        if (!store.TryWrite(Id(key), out WriteLock<T> guard))
        {
            throw new KeyNotFoundException($"store '{name}' has no element {key}");
        }
        using (guard)
        {
            guard.Value = parsed;
        }
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options)
    {
        ShmId id = Id(key);
        using var store = RwStore<T>.Open(name, options);
        return store.TryRemove(id, out _);
    }

    private static ShmId Id(string key) =>
        ShmId.TryParse(key, out ShmId id) ? id : throw new FormatException($"id '{key}' is not an element id (16 hex digits, '-', 16 hex digits)");

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        RwStore<T>.Create(name, Math.Max(capacity, maxCapacity ?? Rw.RwStoreLayout.DefaultMaxElements), options).Dispose();

    /// <summary>Inserts the values: a store gives its elements ids of its own.</summary>
    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var store = RwStore<T>.Open(name, options);
        return Each(entries, entry => store.Insert(TypeCatalog.Parse<T>(entry.Value, "value")));
    }
}
