using System.Buffers;

namespace ShmMaps.Blob;

/// <summary>A value copied into a caller's <see cref="IBufferWriter{T}"/>, advanced once the copy held.</summary>
internal struct WriterSink(IBufferWriter<byte> writer) : IValueSink
{
    private int _length;

    /// <summary>The entry and block version the copy held under (its version).</summary>
    public ulong Entry { get; private set; }

    public uint BlockVersion { get; private set; }

    public void Take(ReadOnlySpan<byte> value)
    {
        value.CopyTo(writer.GetSpan(value.Length));
        _length = value.Length;
    }

    public unsafe bool Commit(ulong* cell, ulong entry, byte* block, uint version)
    {
        writer.Advance(_length);
        Entry = entry;
        BlockVersion = version;
        return true;
    }
}
