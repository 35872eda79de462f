using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>
/// A value of a <see cref="BlobMap"/> read in place: <see cref="Span"/> is the value's bytes in the shared file, which
/// no writer of any process reuses until the lease is disposed. A lease lives on its thread's stack; a thread holds at
/// most eight at once, and a lease ends with its map handle. Writers never wait for a lease: a write of the key puts its new value elsewhere.
/// </summary>
public readonly unsafe ref struct BlobLease
{
    private readonly BlobMap? _map;
    private readonly int _lane;
    private readonly long* _word;
    private readonly long _block;
    private readonly byte* _value;
    private readonly int _length;
    private readonly long _version;

    internal BlobLease(BlobMap map, int lane, long* word, long block, byte* value, int length, long version)
    {
        _map = map;
        _lane = lane;
        _word = word;
        _block = block;
        _value = value;
        _length = length;
        _version = version;
    }

    /// <summary>Whether the key was found (an empty lease otherwise).</summary>
    public bool Found => _word is not null;

    /// <summary>The value's bytes, in place, valid until the lease or its map handle is disposed; empty if the key was not found.</summary>
    public ReadOnlySpan<byte> Span => new(_value, _length);

    /// <summary>
    /// The version of the value (as <see cref="BlobMap.TryGetValue(string, out byte[], out long)"/> gives it), for
    /// <see cref="BlobMap.TryUpdate"/> and <see cref="BlobMap.TryRemove(string, long)"/>; 0 if the key was not found.
    /// </summary>
    public long Version => _version;

    /// <summary>Ends the lease (once, whatever copies of it are disposed): the value's block may be reused from here on.</summary>
    public void Dispose()
    {
        if (_map is not null && !_map.IsClosed)
        {
            _map.Layout.Leases.End(_lane, _word, _block);
        }
    }
}
