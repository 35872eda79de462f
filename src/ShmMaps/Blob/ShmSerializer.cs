using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>
/// The serializers a <c>ShmDictionary</c> takes: strings as UTF-8, byte arrays as they are, unmanaged values as
/// their bytes, anything else as JSON (System.Text.Json).
/// </summary>
public static class ShmSerializer
{
    /// <summary>JSON through <paramref name="typeInfo"/> (from a source-generated context: trimming- and AOT-safe).</summary>
    public static IShmSerializer<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonShmSerializer<T>(typeInfo);
    }

    /// <summary>JSON by reflection, with <paramref name="options"/> (default: <see cref="JsonSerializerOptions.Default"/>).</summary>
    [RequiresUnreferencedCode("JSON by reflection: pass a JsonTypeInfo<T> from a JsonSerializerContext in trimmed programs")]
    [RequiresDynamicCode("JSON by reflection: pass a JsonTypeInfo<T> from a JsonSerializerContext in AOT programs")]
    public static IShmSerializer<T> Json<T>(JsonSerializerOptions? options = null)
    {
        // A copy made read-only: the caller's options stay as the caller left them (and free to change).
        options = options is null ? JsonSerializerOptions.Default : new JsonSerializerOptions(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return new JsonShmSerializer<T>((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    /// <summary>
    /// The built-in serializer of <typeparamref name="T"/> (<see cref="string"/>, <see cref="byte"/>[], an unmanaged
    /// type), or null: such a type needs a serializer given (<see cref="Json{T}(JsonTypeInfo{T})"/>).
    /// </summary>
    public static IShmSerializer<T>? BuiltIn<T>()
    {
        if (typeof(T) == typeof(string))
        {
            return (IShmSerializer<T>)(object)Utf8StringSerializer.Instance;
        }
        if (typeof(T) == typeof(byte[]))
        {
            return (IShmSerializer<T>)(object)ByteArraySerializer.Instance;
        }
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            return new UnmanagedSerializer<T>();
        }
        return null;
    }
}
