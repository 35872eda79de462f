using ShmMaps.Striped;

namespace ShmMaps;

/// <summary>What white-box tests and the benchmarks reach into.</summary>
public sealed unsafe partial class StripedMap<TKey, TValue>
{
    /// <summary>
    /// <see cref="TryGetValue"/> the other way: taking the stripe's lock for the read. Kept to measure what the
    /// version check saves (the benchmark reads both ways).
    /// </summary>
    internal bool TryGetValueLocked(TKey key, out TValue value)
    {
        using StripeHold hold = Hold(key);
        byte* cell = Find(hold.Stripe, hold.Hash, key);
        value = cell is null ? default : ValueAt(cell);
        return cell is not null;
    }

    /// <summary>The stripe of <paramref name="key"/> in the newest table, and its index.</summary>
    internal byte* StripeOf(in TKey key, out long index)
    {
        StripeTable table = View().Newest;
        index = table.StripeIndexOf(Hash(key));
        return table.Stripe(index);
    }
}
