using ShmMaps.Core.Files;

namespace ShmMaps.Inspection;

/// <summary>
/// Reads and changes one entry of any map by text, through the map kind's own API with the key and value types its
/// header names (integers, floats, bool, char, Guid, <see cref="FixedString32"/>; string keys of a folklore map; ids of
/// a store; indexes of arrays and vectors; any other type as hex of its bytes, as <c>shm dump</c> writes it). What
/// <c>shm get</c>, <c>set</c> and <c>rm</c> run.
/// </summary>
public static unsafe class MapEditor
{
    /// <summary>The key <see cref="Set"/> takes to append to a SeqVec or insert into an RwStore (it returns the new index or id).</summary>
    public const string NewKey = EntryAccess.NewKey;

    /// <summary>
    /// The value of <paramref name="key"/> in map <paramref name="name"/>, as text; null if absent. <see cref="FormatException"/>
    /// for a key that is not of the map's key type.
    /// </summary>
    public static string? Get(string name, string key, ShmOptions? options = null) => Access(name, options).Get(name, key, options);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> (adds it if absent); returns the index or id made for <see cref="NewKey"/>, else null.</summary>
    public static string? Set(string name, string key, string value, ShmOptions? options = null) => Access(name, options).Set(name, key, value, options);

    /// <summary>The bytes of <paramref name="key"/>'s value in blob map <paramref name="name"/>; null if absent. <see cref="NotSupportedException"/> for another kind.</summary>
    public static byte[]? GetBytes(string name, string key, ShmOptions? options = null)
    {
        using BlobMap map = OpenBlob(name, options);
        return map.TryGetValue(key, out byte[]? value) ? value : null;
    }

    /// <summary>Sets <paramref name="key"/> of blob map <paramref name="name"/> to <paramref name="value"/>. <see cref="NotSupportedException"/> for another kind.</summary>
    public static void SetBytes(string name, string key, ReadOnlySpan<byte> value, ShmOptions? options = null)
    {
        using BlobMap map = OpenBlob(name, options);
        map.Set(key, value);
    }

    /// <summary>Removes <paramref name="key"/>; false if it was absent.</summary>
    public static bool Remove(string name, string key, ShmOptions? options = null) => Access(name, options).Remove(name, key, options);

    /// <summary>
    /// Creates map <paramref name="name"/> of <paramref name="shape"/> (its kind by name, "SeqMap" or "seq"; types by
    /// full or short name), growing to at most <paramref name="maxCapacity"/> (null: as its kind does by default).
    /// <see cref="MapExistsException"/> if the name is taken, <see cref="FormatException"/> for a kind or type shm does not know.
    /// </summary>
    public static void Create(string name, MapShape shape, long? maxCapacity = null, ShmOptions? options = null)
    {
        IKindInspector kind = KindCatalog.Named(shape.Kind)
            ?? throw new FormatException($"'{shape.Kind}' is not a map kind; use one of {string.Join(", ", KindNames.Keys)}");
        (string keyType, int keySize) = kind.TypedKeys ? Typed(shape.KeyType, shape.KeySize, "--key") : ("", 0);
        (string valueType, int valueSize) = kind.TypedValues ? Typed(shape.ValueType, shape.ValueSize, "--value") : ("", 0);
        EntryAccess.For(kind.Kind, keyType, keySize, valueType, valueSize).Create(name, shape.Capacity, maxCapacity, options);
    }

    /// <summary>Writes <paramref name="entries"/> (as <c>shm dump</c> gives them) into map <paramref name="name"/>; returns how many.</summary>
    public static long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options = null) => Access(name, options).Load(name, entries, options);

    /// <summary>The entries of map <paramref name="name"/> read through its own enumeration while writers write (each whole).</summary>
    public static IEnumerable<MapEntry> Read(string name, ShmOptions? options = null) => Access(name, options).Read(name, options);

    /// <summary>The kind, types and capacity of map <paramref name="name"/>.</summary>
    public static MapShape Shape(string name, ShmOptions? options = null)
    {
        using MapRegion region = MapRegion.OpenPath(name, MapFiles.PathFor(name, options), options);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        return new MapShape(region.Kind.ToString(), keyType, (int)region.Header->KeySize, valueType, (int)region.Header->ValueSize, region.Capacity);
    }

    /// <summary>The kinds <c>shm create --kind</c> takes, by their short names.</summary>
    public static IReadOnlyDictionary<string, string> KindNames { get; } =
        KindCatalog.All.ToDictionary(kind => kind.ShortName, kind => kind.Kind.ToString(), StringComparer.OrdinalIgnoreCase);

    /// <summary>A type by short or full name; a name shm does not know with a size (a dump's stand-in) as itself.</summary>
    private static (string TypeName, int Size) Typed(string name, int size, string option)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new FormatException($"{option} is required for this kind");
        }
        try
        {
            return TypeCatalog.Named(name);
        }
        catch (FormatException) when (size > 0)
        {
            return (name, size); // a type of the user's, known by its name and size: written as hex
        }
    }

    private static BlobMap OpenBlob(string name, ShmOptions? options)
    {
        using (MapRegion region = MapRegion.OpenPath(name, MapFiles.PathFor(name, options), options))
        {
            if (region.Kind != MapKind.BlobMap)
            {
                throw new NotSupportedException($"map '{name}' is a {region.Kind}: values as bytes (--hex, --raw, --value-file) are a blob map's");
            }
        }
        return BlobMap.Open(name, options);
    }

    private static EntryAccess Access(string name, ShmOptions? options)
    {
        using MapRegion region = MapRegion.OpenPath(name, MapFiles.PathFor(name, options), options);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        return EntryAccess.For(region.Kind, keyType, (int)region.Header->KeySize, valueType, (int)region.Header->ValueSize);
    }
}
