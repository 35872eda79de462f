namespace ShmMaps.Seq;

/// <summary>Elements of a <see cref="SeqArray{T}"/> by index: an index outside the array is absent.</summary>
internal sealed class SeqArrayAccess<T> : EntryAccess
    where T : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using var array = SeqArray<T>.Open(name, options);
        return array.TryGet(Index(key), out T value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        long index = Index(key);
        T parsed = TypeCatalog.Parse<T>(value, "value");
        using var array = SeqArray<T>.Open(name, options);
        array.Set(index, parsed);
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options) => NoRemoval("SeqArray");

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        SeqArray<T>.Create(name, capacity, options).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var array = SeqArray<T>.Open(name, options);
        return Each(entries, entry => array.Set(entry.Key is null ? entry.Index : Index(entry.Key), TypeCatalog.Parse<T>(entry.Value, "value")));
    }
}
