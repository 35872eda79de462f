using ShmMaps.Core.Region;

namespace ShmMaps.Inspection.Editing;

/// <summary>
/// One entry of a map read or changed through its kind's public API, with the key and value types its header names:
/// what <see cref="MapEditor"/> hands a command to. One subclass per kind, made generic over the header's types.
/// </summary>
internal abstract class EntryAccess
{
    /// <summary>The key that <c>shm set</c> takes to append to a vector or insert into a store (it prints the new index or id).</summary>
    public const string NewKey = "new";

    /// <summary>The value of <paramref name="key"/> as text, or null if absent.</summary>
    public abstract string? Get(string name, string key, ShmOptions? options);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; returns the key it made when <paramref name="key"/> is <see cref="NewKey"/>.</summary>
    public abstract string? Set(string name, string key, string value, ShmOptions? options);

    /// <summary>Removes <paramref name="key"/>; false if it was absent.</summary>
    public abstract bool Remove(string name, string key, ShmOptions? options);

    /// <summary>
    /// The access of a map of <paramref name="kind"/> whose header names <paramref name="keyType"/> and
    /// <paramref name="valueType"/> of <paramref name="keySize"/> and <paramref name="valueSize"/> bytes.
    /// </summary>
    public static EntryAccess For(MapKind kind, string keyType, int keySize, string valueType, int valueSize)
    {
        Type value = TypeCatalog.Resolve(valueType, valueSize);
        Type access = kind switch
        {
            MapKind.SeqMap => typeof(SeqMapAccess<,>).MakeGenericType(TypeCatalog.Resolve(keyType, keySize), value),
            MapKind.StripedMap => typeof(StripedMapAccess<,>).MakeGenericType(TypeCatalog.Resolve(keyType, keySize), value),
            MapKind.LeftRightMap => typeof(LeftRightMapAccess<,>).MakeGenericType(TypeCatalog.Resolve(keyType, keySize), value),
            MapKind.FolkloreMap => typeof(FolkloreMapAccess<>).MakeGenericType(value),
            MapKind.SeqArray => typeof(SeqArrayAccess<>).MakeGenericType(value),
            MapKind.SeqVec => typeof(SeqVecAccess<>).MakeGenericType(value),
            MapKind.RwStore => typeof(RwStoreAccess<>).MakeGenericType(value),
            _ => throw new NotSupportedException($"this version cannot read or change entries of a {kind}"),
        };
        return (EntryAccess)Activator.CreateInstance(access)!;
    }

    /// <summary>An index key (arrays, vectors).</summary>
    protected static long Index(string key) => TypeCatalog.Parse<long>(key, "index");

    /// <summary><see cref="NotSupportedException"/>: the kind has no removal.</summary>
    protected static bool NoRemoval(string kind) =>
        throw new NotSupportedException($"a {kind} keeps a value at every index it has: set one instead of removing it");
}
