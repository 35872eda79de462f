using System.Globalization;

namespace ShmMaps.Seq;

/// <summary>Elements of a <see cref="SeqVec{T}"/> by index; <see cref="EntryAccess.NewKey"/> appends.</summary>
internal sealed class SeqVecAccess<T> : EntryAccess
    where T : unmanaged
{
    public override string? Get(string name, string key, ShmOptions? options)
    {
        using var vector = SeqVec<T>.Open(name, options);
        return vector.TryGet(Index(key), out T value) ? TypeCatalog.Format(value) : null;
    }

    public override string? Set(string name, string key, string value, ShmOptions? options)
    {
        T parsed = TypeCatalog.Parse<T>(value, "value");
        using var vector = SeqVec<T>.Open(name, options);
        if (key == NewKey)
        {
            return vector.Push(parsed).ToString(CultureInfo.InvariantCulture);
        }
        vector.Set(Index(key), parsed);
        return null;
    }

    public override bool Remove(string name, string key, ShmOptions? options) => NoRemoval("SeqVec");

    public override void Create(string name, long capacity, long? maxCapacity, ShmOptions? options) =>
        SeqVec<T>.Create(name, capacity, options, maxCapacity ?? 0).Dispose();

    public override long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options)
    {
        using var vector = SeqVec<T>.Open(name, options);
        return Each(entries, entry => vector.Push(TypeCatalog.Parse<T>(entry.Value, "value")));
    }
}
