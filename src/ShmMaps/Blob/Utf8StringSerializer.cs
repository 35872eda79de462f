using System.Buffers;
using System.Text;

namespace ShmMaps.Blob;

/// <summary>A string as its UTF-8 bytes, no length or marker: what <c>shm get</c> prints and <c>shm set</c> writes.</summary>
internal sealed class Utf8StringSerializer : IShmSerializer<string>
{
    /// <summary>Throws on bytes that are not UTF-8 instead of reading them as replacement characters.</summary>
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Utf8StringSerializer Instance { get; } = new();

    public void Serialize(string value, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(value);
        s_strict.GetBytes(value, destination);
    }

    public string Deserialize(ReadOnlySpan<byte> source)
    {
        try
        {
            return s_strict.GetString(source);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"a value of {source.Length} bytes is not UTF-8 text, so not a string", e);
        }
    }
}
