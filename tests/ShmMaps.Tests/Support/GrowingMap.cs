namespace ShmMaps.Tests.Support;

/// <summary>
/// Any keyed map as an <see cref="IGrowingMap"/>, through <see cref="IShmMap{TKey,TValue}"/>: key i is
/// <c>keyOf(i)</c>, holding <c>valueOf(i)</c>.
/// </summary>
/// <param name="map">The map.</param>
/// <param name="keyOf">Key i.</param>
/// <param name="valueOf">The value key i holds.</param>
/// <param name="generation">The generation writes go to (each kind keeps its own, internal).</param>
/// <param name="insert">How key i is inserted, where a kind's child role inserts some keys otherwise; by default <see cref="IShmMap{TKey,TValue}.Insert"/>.</param>
public sealed class GrowingMap<TKey, TValue>(
    IShmMap<TKey, TValue> map, Func<long, TKey> keyOf, Func<long, TValue> valueOf, Func<int> generation, Action<long>? insert = null) : IGrowingMap
    where TValue : unmanaged
{
    public long Count => map.Count;

    public int Generation => generation();

    public long ValueOf(long i) => ToLong(valueOf(i));

    public void Insert(long i)
    {
        if (insert is not null)
        {
            insert(i);
        }
        else
        {
            map.Insert(keyOf(i), valueOf(i));
        }
    }

    public bool TryGet(long i, out long value)
    {
        bool found = map.TryGetValue(keyOf(i), out TValue stored);
        value = ToLong(stored);
        return found;
    }

    public bool TryRemove(long i, out long value)
    {
        bool removed = map.TryRemove(keyOf(i), out TValue stored);
        value = ToLong(stored);
        return removed;
    }

    public long Enumerated() => map.Count();

    public void Dispose() => map.Dispose();

    private static long ToLong(TValue value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
