namespace ShmMaps.Hosting;

/// <summary>The key of a row a replica read from the stream: whether it was readable, and whether a change of it was added to the transaction.</summary>
internal readonly record struct RowKey<TKey>(bool Found, TKey Value, bool Added)
{
    public static RowKey<TKey> Of(TKey key, bool added) => new(true, key, added);
}
