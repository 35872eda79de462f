using System.Collections;
using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>
    /// Enumerates the entries cell by cell without locking. Weakly consistent: entries changed during the
    /// walk may be seen old or new, but each one is whole.
    /// </summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Reads cell <paramref name="index"/> whole; false if it is empty.</summary>
    internal bool TryReadCell(long index, out KeyValuePair<TKey, TValue> entry)
    {
        ThrowIfDisposed();
        ReadCell(Cell(index), out uint state, out TKey key, out TValue value);
        entry = new KeyValuePair<TKey, TValue>(key, value);
        return state == SeqCellLayout.Occupied;
    }

    /// <summary>The largest probe limit of any home cell, and the mean over all (for checks and tests).</summary>
    internal (uint Max, double Mean) ProbeLimits()
    {
        uint max = 0;
        double sum = 0;
        for (long i = 0; i < _cells.Count; i++)
        {
            uint limit = *(uint*)(Cell(i) + SeqCellLayout.ProbeLimitOffset);
            max = Math.Max(max, limit);
            sum += limit;
        }
        return (max, sum / _cells.Count);
    }

    /// <summary>Walks the cells of a <see cref="SeqMap{TKey,TValue}"/>.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private readonly SeqMap<TKey, TValue> _map;
        private long _index;

        internal Enumerator(SeqMap<TKey, TValue> map)
        {
            _map = map;
            _index = -1;
            Current = default;
        }

        /// <inheritdoc/>
        public KeyValuePair<TKey, TValue> Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext()
        {
            while (++_index < _map.CellCount)
            {
                if (_map.TryReadCell(_index, out KeyValuePair<TKey, TValue> entry))
                {
                    Current = entry;
                    return true;
                }
            }
            return false;
        }

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
