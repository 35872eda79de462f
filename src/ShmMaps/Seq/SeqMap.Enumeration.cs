using System.Collections;
using ShmMaps.Seq;

namespace ShmMaps;

public sealed unsafe partial class SeqMap<TKey, TValue>
{
    /// <summary>
    /// Enumerates the entries cell by cell without locking. Weakly consistent: entries changed during the
    /// walk may be seen old or new, but each one is whole. A migration in progress is finished first; if the map
    /// grows during the walk, the walk goes on in the table it began (which keeps every entry it had), which this
    /// handle keeps reading until the walk ends or the enumerator is disposed.
    /// </summary>
    public Enumerator GetEnumerator() => new(this, SettledTable());

    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The largest probe limit of any home cell of the newest table, and the mean over all (for checks and tests).</summary>
    internal (uint Max, double Mean) ProbeLimits()
    {
        SeqTable table = View().Newest;
        uint max = 0;
        double sum = 0;
        for (long i = 0; i < table.CellCount; i++)
        {
            uint limit = *(uint*)(Cell(table, i) + SeqCellLayout.ProbeLimitOffset);
            max = Math.Max(max, limit);
            sum += limit;
        }
        return (max, sum / table.CellCount);
    }

    private bool TryReadCell(SeqTable table, long index, out KeyValuePair<TKey, TValue> entry)
    {
        ThrowIfDisposed();
        ReadCell(table, Cell(table, index), out uint state, out TKey key, out TValue value);
        entry = new KeyValuePair<TKey, TValue>(key, value);
        return state is SeqCellLayout.Occupied or SeqCellLayout.Moved; // moved: the map grew during the walk
    }

    /// <summary>The newest table once no migration is in progress (finishing one if there is).</summary>
    private SeqTable SettledTable()
    {
        ThrowIfDisposed();
        return _migration.Settled().Newest;
    }

    /// <summary>Walks the cells of a <see cref="SeqMap{TKey,TValue}"/>: pins its table from the first step to the last (or Dispose).</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private readonly SeqMap<TKey, TValue> _map;
        private readonly SeqTable _table;
        private long _index;
        private bool _pinned;

        internal Enumerator(SeqMap<TKey, TValue> map, SeqTable table)
        {
            _map = map;
            _table = table;
            _index = -1;
            _pinned = false;
            Current = default;
        }

        /// <inheritdoc/>
        public KeyValuePair<TKey, TValue> Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext()
        {
            if (!_pinned && _index < _table.CellCount)
            {
                _map._retirement.Pin(_table.Generation);
                _pinned = true;
            }
            while (++_index < _table.CellCount)
            {
                if (_map.TryReadCell(_table, _index, out KeyValuePair<TKey, TValue> entry))
                {
                    Current = entry;
                    return true;
                }
            }
            Dispose();
            return false;
        }

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_pinned)
            {
                _pinned = false;
                _map._retirement.Unpin(_table.Generation);
            }
        }
    }
}
