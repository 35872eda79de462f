using System.Buffers;
using System.Text;
using MemoryPack;

namespace ShmMaps.MemoryPack;

/// <summary>A value in MemoryPack's format; bytes that are not one (another writer's format, damage) are a <see cref="FormatException"/>.</summary>
internal sealed class MemoryPackShmSerializer<T>(MemoryPackSerializerOptions options) : IShmSerializer<T>
{
    public void Serialize(T value, IBufferWriter<byte> destination) => MemoryPackSerializer.Serialize(destination, value, options);

    public T Deserialize(ReadOnlySpan<byte> source)
    {
        try
        {
            return MemoryPackSerializer.Deserialize<T>(source, options)!;
        }
        catch (Exception e) when (e is MemoryPackSerializationException or ArgumentException or InvalidOperationException or OverflowException
            or IndexOutOfRangeException or DecoderFallbackException)
        {
            throw new FormatException($"a value of {source.Length} bytes is not the MemoryPack of a {typeof(T).Name}: {e.Message}", e);
        }
    }
}
