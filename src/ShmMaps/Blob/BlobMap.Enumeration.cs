using System.Collections;
using System.Text;

namespace ShmMaps;

/// <summary>Walking a <see cref="BlobMap"/>'s entries.</summary>
public sealed partial class BlobMap : IEnumerable<KeyValuePair<string, byte[]>>
{
    /// <summary>
    /// Every key with a copy of its value, each read whole; a growth under way is finished first. Writers of any process
    /// may write meanwhile: an entry written or removed during the walk may or may not be seen, every other one is, once.
    /// </summary>
    public IEnumerator<KeyValuePair<string, byte[]>> GetEnumerator()
    {
        ThrowIfDisposed();
        foreach ((byte[] key, byte[] value) in Entries())
        {
            yield return new KeyValuePair<string, byte[]>(Encoding.UTF8.GetString(key), value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
