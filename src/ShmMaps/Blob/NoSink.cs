namespace ShmMaps.Blob;

/// <summary>No copy: whether the key is there.</summary>
internal struct NoSink : IValueSink
{
    public readonly void Take(ReadOnlySpan<byte> value)
    {
    }

    public readonly unsafe bool Commit(ulong* cell, ulong entry, byte* block, uint version) => true;
}
