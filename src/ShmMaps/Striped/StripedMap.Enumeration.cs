using System.Collections;
using ShmMaps.Striped;

namespace ShmMaps;

public sealed unsafe partial class StripedMap<TKey, TValue>
{
    /// <summary>
    /// The entries, stripe by stripe: each stripe is read consistently (a version-checked copy), the map as a whole
    /// weakly (stripes changed during the walk may be seen before or after the change). A migration in progress is
    /// finished first; if the map grows during the walk, the walk goes on in the table it began (which keeps every
    /// entry it had), which this handle keeps reading until the walk ends (or its enumerator is disposed).
    /// </summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        StripeTable table = SettledTable();
        _retirement.Pin(table.Generation);
        try
        {
            var entries = new List<KeyValuePair<TKey, TValue>>();
            for (long s = 0; s < table.Stripes; s++)
            {
                ReadStripe(table, s, entries);
                foreach (KeyValuePair<TKey, TValue> entry in entries)
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            _retirement.Unpin(table.Generation);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The newest table once no migration is in progress (finishing one if there is).</summary>
    private StripeTable SettledTable()
    {
        ThrowIfDisposed();
        return _migration.Settled().Newest;
    }

    private void ReadStripe(StripeTable table, long index, List<KeyValuePair<TKey, TValue>> entries)
    {
        ThrowIfDisposed();
        byte* stripe = table.Stripe(index);
        while (true)
        {
            entries.Clear();
            ulong before = SharedMemory.ReadAcquire((ulong*)stripe);
            if (LockWord.IsLocked(before))
            {
                before = WaitForStripe(stripe, before);
            }
            for (long i = 0; i <= _cellMask; i++)
            {
                byte* cell = CellAt(stripe, i);
                if (StateAt(cell) == StripedLayout.Occupied)
                {
                    entries.Add(new KeyValuePair<TKey, TValue>(KeyAt(cell), ValueAt(cell)));
                }
            }
            SharedMemory.LoadLoadBarrier();
            if (SharedMemory.ReadAcquire((ulong*)stripe) == before)
            {
                break;
            }
        }
    }
}
