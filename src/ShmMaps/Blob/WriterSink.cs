using System.Buffers;

namespace ShmMaps.Blob;

/// <summary>A value copied into a caller's <see cref="IBufferWriter{T}"/>, advanced once the copy held.</summary>
internal struct WriterSink(IBufferWriter<byte> writer) : IValueSink
{
    private int _length;

    public void Take(ReadOnlySpan<byte> value)
    {
        value.CopyTo(writer.GetSpan(value.Length));
        _length = value.Length;
    }

    public readonly unsafe bool Commit(ulong* cell, ulong entry, byte* block, uint version)
    {
        writer.Advance(_length);
        return true;
    }
}
