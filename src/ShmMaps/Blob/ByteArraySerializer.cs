using System.Buffers;

namespace ShmMaps.Blob;

/// <summary>Bytes as they are.</summary>
internal sealed class ByteArraySerializer : IShmSerializer<byte[]>
{
    public static ByteArraySerializer Instance { get; } = new();

    public void Serialize(byte[] value, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(value);
        destination.Write(value);
    }

    public byte[] Deserialize(ReadOnlySpan<byte> source) => source.ToArray();
}
