using System.Collections;
using ShmMaps.Folklore;
using ShmMaps.Keys;

namespace ShmMaps;

public sealed partial class FolkloreMap<TValue>
{
    /// <summary>
    /// The present entries, cell by cell: weakly consistent (each entry is read whole; entries changed during
    /// the walk may be seen before or after the change).
    /// </summary>
    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator()
    {
        ThrowIfDisposed();
        for (long cell = 0; cell <= _mask; cell++)
        {
            ulong entry = ReadEntry(cell);
            if (entry != 0 && !FolkloreEntry.IsRemoved(entry, ValueBits))
            {
                string key = Utf8KeyBuffer.Decode(_keys.KeyOf(_table.KeyIndex(entry)));
                yield return new KeyValuePair<string, TValue>(key, ValueOf(entry));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
