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
        foreach ((string key, byte[] value) in Entries())
        {
            yield return new KeyValuePair<string, byte[]>(key, value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Every key with the first <paramref name="prefixLength"/> bytes of its value, the value's length and its version
    /// (for <see cref="TryUpdate"/> and <see cref="TryRemove(string, long)"/>), each read whole as <see cref="GetEnumerator"/>
    /// reads entries, without copying the rest of the value: a walk over what the values start with (an expiry, a type).
    /// </summary>
    public IEnumerable<BlobEntryHead> Heads(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ThrowIfDisposed();
        return WalkHeads(prefixLength);
    }
}
