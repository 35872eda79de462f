namespace ShmMaps;

/// <summary>
/// How a keyed map kind is created, opened and deleted by name: generic code calls <c>TMap.OpenOrCreate(...)</c> for
/// any kind <c>TMap</c> that implements this.
/// </summary>
/// <typeparam name="TSelf">The map type.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IShmMapOpener<TSelf, TKey, TValue> : IShmMap<TKey, TValue>
    where TSelf : IShmMapOpener<TSelf, TKey, TValue>
    where TValue : unmanaged
{
    /// <summary>Creates map <paramref name="name"/> for <paramref name="capacity"/> entries; <see cref="MapExistsException"/> if the name is taken.</summary>
    static abstract TSelf Create(string name, long capacity, ShmOptions? options = null);

    /// <summary>Opens map <paramref name="name"/>; <see cref="MapNotFoundException"/> if there is none.</summary>
    static abstract TSelf Open(string name, ShmOptions? options = null);

    /// <summary>Opens map <paramref name="name"/>, creating it for <paramref name="capacity"/> entries if it does not exist.</summary>
    static abstract TSelf OpenOrCreate(string name, long capacity, ShmOptions? options = null);

    /// <summary>Deletes map <paramref name="name"/>'s file; false if there was none.</summary>
    static abstract bool Delete(string name, ShmOptions? options = null);
}
