namespace ShmMaps.Blob;

/// <summary>A value copied into a new array.</summary>
internal struct ArraySink : IValueSink
{
    public byte[]? Value;

    public void Take(ReadOnlySpan<byte> value) => Value = value.ToArray();

    public readonly void Commit()
    {
    }
}
