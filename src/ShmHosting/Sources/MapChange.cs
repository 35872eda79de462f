namespace ShmMaps.Hosting;

/// <summary>One change a source asks of a map: set <see cref="Key"/> to <see cref="Value"/>, or remove it.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly record struct MapChange<TKey, TValue>(TKey Key, TValue Value, bool IsRemoval)
{
    /// <summary>
    /// Where the source stands once this change is applied, for a source that resumes from a position (a PostgreSQL
    /// LSN: set on the last change of each transaction); 0 for a change that ends no such step.
    /// </summary>
    public ulong Position { get; init; }

    /// <summary>Set <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static MapChange<TKey, TValue> Set(TKey key, TValue value) => new(key, value, false);

    /// <summary>Remove <paramref name="key"/>.</summary>
    public static MapChange<TKey, TValue> Remove(TKey key) => new(key, default!, true);
}
