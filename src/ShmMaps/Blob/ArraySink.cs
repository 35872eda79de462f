namespace ShmMaps.Blob;

/// <summary>A value copied into a new array.</summary>
internal struct ArraySink : IValueSink
{
    public byte[]? Value;

    public void Take(ReadOnlySpan<byte> value) => Value = value.ToArray();

    public readonly unsafe bool Commit(ulong* cell, ulong entry, byte* block, uint version) => true;
}
