using ShmMaps.Core.Files;
using ShmMaps.Core.Region;
using ShmMaps.Inspection.Editing;

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

    /// <summary>Removes <paramref name="key"/>; false if it was absent.</summary>
    public static bool Remove(string name, string key, ShmOptions? options = null) => Access(name, options).Remove(name, key, options);

    private static EntryAccess Access(string name, ShmOptions? options)
    {
        using MapRegion region = MapRegion.OpenPath(name, MapFiles.PathFor(name, options), options);
        (string keyType, string valueType) = ValueDecoder.TypeNames(region);
        return EntryAccess.For(region.Kind, keyType, (int)region.Header->KeySize, valueType, (int)region.Header->ValueSize);
    }
}
