using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>What white-box tests reach into: cells and lock words of the newest table.</summary>
public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>The cell holding <paramref name="key"/> in the newest table, or null.</summary>
    internal byte* CellOf(TKey key)
    {
        SeqTable table = View().Newest;
        return Find(table, table.Home(Hash(key)), key, out byte* cell, out _, out _) ? cell : null;
    }

    /// <summary>Cell <paramref name="index"/> of the newest table.</summary>
    internal byte* CellAt(long index) => Cell(View().Newest, index);

    /// <summary>The home cell of <paramref name="key"/> in the newest table.</summary>
    internal long HomeOf(TKey key) => View().Newest.Home(Hash(key));

    /// <summary>The insert stripe lock word of home cell <paramref name="home"/> of the newest table.</summary>
    internal ulong* StripeOf(long home)
    {
        SeqTable table = View().Newest;
        return table.Stripes + table.StripeOfHome(home);
    }
}
