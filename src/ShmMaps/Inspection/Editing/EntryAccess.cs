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
    /// Creates map <paramref name="name"/> of this kind and these types for <paramref name="capacity"/> entries (the
    /// length of an array, the most elements of a store), growing to at most <paramref name="maxCapacity"/> (null: as
    /// the kind does by default).
    /// </summary>
    public abstract void Create(string name, long capacity, long? maxCapacity, ShmOptions? options);

    /// <summary>
    /// Writes <paramref name="entries"/> (keys and values as <c>shm dump</c> writes them) into map <paramref name="name"/>,
    /// opened once; returns how many. A store inserts the values (its ids are its own); a vector appends them in order.
    /// </summary>
    public abstract long Load(string name, IEnumerable<MapEntry> entries, ShmOptions? options);

    /// <summary>
    /// The access of a map of <paramref name="kind"/> whose header names <paramref name="keyType"/> and
    /// <paramref name="valueType"/> of <paramref name="keySize"/> and <paramref name="valueSize"/> bytes.
    /// </summary>
    public static EntryAccess For(MapKind kind, string keyType, int keySize, string valueType, int valueSize)
    {
        IKindInspector inspector = KindCatalog.For(kind) ?? throw new NotSupportedException($"this version cannot read or change entries of a {kind}");
        return inspector.Access(inspector.TypedKeys ? TypeCatalog.Resolve(keyType, keySize) : null,
            inspector.TypedValues ? TypeCatalog.Resolve(valueType, valueSize) : typeof(byte[]));
    }

    /// <summary>An access of generic type <paramref name="open"/> closed over <paramref name="types"/> (a kind's own, over the header's types).</summary>
    public static EntryAccess Of(Type open, params Type[] types) => (EntryAccess)Activator.CreateInstance(open.MakeGenericType(types))!;

    /// <summary>
    /// The entries of map <paramref name="name"/> as its own enumeration gives them while writers write (each entry
    /// whole, the map weakly: what a copy of a live map reads); by default as <c>shm dump</c> reads them.
    /// </summary>
    public virtual IEnumerable<MapEntry> Read(string name, ShmOptions? options) => MapInspector.Dump(name, options);

    /// <summary><paramref name="options"/> with <see cref="ShmOptions.MaxCapacity"/> <paramref name="maxCapacity"/>.</summary>
    protected static ShmOptions Capped(ShmOptions? options, long? maxCapacity)
    {
        ShmOptions o = options ?? ShmOptions.Default;
        return new ShmOptions
        {
            Directory = o.Directory,
            FileMode = o.FileMode,
            LockTimeout = o.LockTimeout,
            WriterLanes = o.WriterLanes,
            ReaderSlots = o.ReaderSlots,
            LocksPerThread = o.LocksPerThread,
            MaxLoad = o.MaxLoad,
            MaxCapacity = maxCapacity ?? o.MaxCapacity,
            RequireSameOwner = o.RequireSameOwner,
        };
    }

    /// <summary>Writes each of <paramref name="entries"/> with <paramref name="write"/>; returns how many.</summary>
    protected static long Each(IEnumerable<MapEntry> entries, Action<MapEntry> write)
    {
        long written = 0;
        foreach (MapEntry entry in entries)
        {
            write(entry);
            written++;
        }
        return written;
    }

    /// <summary>The pairs of a map's own enumeration as text; disposes <paramref name="map"/> when the walk ends.</summary>
    protected static IEnumerable<MapEntry> Formatted<TKey, TValue>(IDisposable map, IEnumerable<KeyValuePair<TKey, TValue>> pairs)
    {
        using (map)
        {
            long index = 0;
            foreach (KeyValuePair<TKey, TValue> pair in pairs)
            {
                yield return new MapEntry(index++, TypeCatalog.Format(pair.Key), TypeCatalog.Format(pair.Value));
            }
        }
    }

    /// <summary>The key of an entry to load; <see cref="FormatException"/> if a kind with keys gets none.</summary>
    protected static string KeyOf(MapEntry entry) => entry.Key ?? throw new FormatException($"entry {entry.Index} has no key");

    /// <summary>An index key (arrays, vectors).</summary>
    protected static long Index(string key) => TypeCatalog.Parse<long>(key, "index");

    /// <summary><see cref="NotSupportedException"/>: the kind has no removal.</summary>
    protected static bool NoRemoval(string kind) =>
        throw new NotSupportedException($"a {kind} keeps a value at every index it has: set one instead of removing it");
}
