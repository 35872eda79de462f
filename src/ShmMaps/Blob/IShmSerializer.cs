using System.Buffers;

namespace ShmMaps;

/// <summary>
/// Turns values of <typeparamref name="T"/> into the bytes a <c>ShmDictionary</c> stores, and back. Bytes written by
/// one process are read by another, possibly of another build: a serializer's format is the map's format.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IShmSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    void Serialize(T value, IBufferWriter<byte> destination);

    /// <summary>
    /// The value <paramref name="source"/> holds; <see cref="FormatException"/> naming the type when the bytes are not
    /// one (another writer's format, a damaged value).
    /// </summary>
    T Deserialize(ReadOnlySpan<byte> source);
}
