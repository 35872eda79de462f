using System.Collections;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Striped;

namespace ShmMaps;

public sealed unsafe partial class StripedMap<TKey, TValue>
{
    /// <summary>
    /// The entries, stripe by stripe: each stripe is read consistently (a version-checked copy), the map as a whole
    /// weakly (stripes changed during the walk may be seen before or after the change).
    /// </summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        ThrowIfDisposed();
        var entries = new List<KeyValuePair<TKey, TValue>>();
        for (long s = 0; s <= _stripeMask; s++)
        {
            ReadStripe(s, entries);
            foreach (KeyValuePair<TKey, TValue> entry in entries)
            {
                yield return entry;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void ReadStripe(long index, List<KeyValuePair<TKey, TValue>> entries)
    {
        byte* stripe = _stripes + (index * _stripeStride);
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
                return;
            }
        }
    }
}
