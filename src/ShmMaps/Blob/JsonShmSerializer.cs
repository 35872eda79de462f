using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ShmMaps.Blob;

/// <summary>
/// A value as UTF-8 JSON through System.Text.Json, with the <see cref="JsonTypeInfo{T}"/> a source-generated
/// <c>JsonSerializerContext</c> gives (so trimmed and AOT programs work), or one made by reflection.
/// </summary>
internal sealed class JsonShmSerializer<T>(JsonTypeInfo<T> typeInfo) : IShmSerializer<T>
{
    public void Serialize(T value, IBufferWriter<byte> destination)
    {
        using var writer = new Utf8JsonWriter(destination);
        JsonSerializer.Serialize(writer, value, typeInfo);
    }

    public T Deserialize(ReadOnlySpan<byte> source)
    {
        try
        {
            return JsonSerializer.Deserialize(source, typeInfo)!;
        }
        catch (JsonException e)
        {
            throw new FormatException($"a value of {source.Length} bytes is not the JSON of a {typeof(T).Name}: {e.Message}", e);
        }
    }
}
