using System.Collections;
using ShmMaps.Folklore;

namespace ShmMaps;

public sealed partial class FolkloreMap<TValue>
{
    /// <summary>
    /// The present entries, cell by cell: weakly consistent (each entry is read whole; entries changed during
    /// the walk may be seen before or after the change). A migration in progress is finished first; if the map grows
    /// during the walk, the walk goes on in the table it began (whose frozen entries are those it had), which this
    /// handle keeps reading until the walk ends (or its enumerator is disposed).
    /// </summary>
    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator()
    {
        FolkloreTable table = SettledTable();
        _retirement.Pin(table.Generation);
        try
        {
            for (long cell = 0; cell < table.Cells; cell++)
            {
                ThrowIfDisposed();
                ulong entry = table.Read(cell);
                if (table.IsEmpty(entry) || FolkloreEntry.IsRemoved(entry, ValueBits))
                {
                    continue;
                }
                string key = Utf8KeyBuffer.Decode(_keys.KeyOf(table.KeyIndex(entry)));
                yield return new KeyValuePair<string, TValue>(key, ValueOf(entry));
            }
        }
        finally
        {
            _retirement.Unpin(table.Generation);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The newest table once no migration is in progress (finishing one if there is).</summary>
    private FolkloreTable SettledTable()
    {
        ThrowIfDisposed();
        return _migration.Settled().Newest;
    }
}
