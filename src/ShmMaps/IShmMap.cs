namespace ShmMaps;

/// <summary>
/// What every keyed map kind offers a process that holds it open: <see cref="SeqMap{TKey,TValue}"/>,
/// <see cref="StripedMap{TKey,TValue}"/> and <see cref="FolkloreMap{TValue}"/> (string keys). Code that works with any
/// of them (a test, a benchmark, a tool) writes one adapter against this.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IShmMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>, IDisposable
    where TValue : unmanaged
{
    /// <summary>The map's name.</summary>
    string Name { get; }

    /// <summary>The entries, as the map counts them.</summary>
    long Count { get; }

    /// <summary>The value of <paramref name="key"/> (<see cref="KeyNotFoundException"/> if absent); setting adds or replaces it.</summary>
    TValue this[TKey key] { get; set; }

    /// <summary>The value of <paramref name="key"/>, or null if absent.</summary>
    TValue? Get(TKey key);

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    bool ContainsKey(TKey key);

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    bool TryGetValue(TKey key, out TValue value);

    /// <summary>Adds <paramref name="key"/> or replaces its value.</summary>
    void Insert(TKey key, TValue value);

    /// <summary>Adds <paramref name="key"/> if absent; false (and no change) if present.</summary>
    bool TryAdd(TKey key, TValue value);

    /// <summary>Removes <paramref name="key"/>, giving its last value; false if it was absent.</summary>
    bool TryRemove(TKey key, out TValue value);
}
