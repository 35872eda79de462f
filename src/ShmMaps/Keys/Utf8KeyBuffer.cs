using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ShmMaps.Keys;

/// <summary>
/// A string key as UTF-8 bytes, in a caller's stack buffer or, for long keys, a pooled array given back on dispose.
/// </summary>
internal ref struct Utf8KeyBuffer
{
    /// <summary>The stack buffer callers pass: keys of up to a third of this many chars never rent.</summary>
    public const int StackBytes = 256;

    private byte[]? _rented;

    private Utf8KeyBuffer(ReadOnlySpan<byte> bytes, byte[]? rented, string? error)
    {
        Bytes = bytes;
        _rented = rented;
        Error = error;
    }

    /// <summary>The key's UTF-8 bytes (empty when <see cref="Error"/> is set).</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Why the key cannot be stored: too long, or not valid UTF-16; null when it can.</summary>
    public string? Error { get; }

    /// <summary>Encodes <paramref name="key"/>; a key over <paramref name="maxBytes"/> bytes or with a lone surrogate sets <see cref="Error"/>.</summary>
    public static Utf8KeyBuffer From(string key, Span<byte> stack, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > maxBytes)
        {
            return new Utf8KeyBuffer(default, null, $"the key is longer than {maxBytes} UTF-8 bytes");
        }
        byte[]? rented = null;
        Span<byte> buffer = stack;
        int worst = key.Length * 3;
        if (worst > buffer.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(worst);
            buffer = rented;
        }
        OperationStatus status = Utf8.FromUtf16(key, buffer, out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            return new Utf8KeyBuffer(default, rented, "the key is not valid UTF-16 (it holds a lone surrogate)");
        }
        if (written > maxBytes)
        {
            return new Utf8KeyBuffer(default, rented, $"the key is {written} UTF-8 bytes, longer than {maxBytes}");
        }
        return new Utf8KeyBuffer(buffer[..written], rented, null);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem if the key cannot be stored.</summary>
    public readonly void ThrowIfInvalid(string parameter)
    {
        if (Error is { } error)
        {
            throw new ArgumentException(error, parameter);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> if UTF-8 <paramref name="key"/> cannot be stored.</summary>
    public static void ThrowIfInvalid(ReadOnlySpan<byte> key, int maxBytes, string parameter)
    {
        if (key.Length > maxBytes)
        {
            throw new ArgumentException($"the key is {key.Length} UTF-8 bytes, longer than {maxBytes}", parameter);
        }
        if (!Utf8.IsValid(key))
        {
            throw new ArgumentException("the key is not valid UTF-8", parameter);
        }
    }

    /// <summary>Decodes stored key bytes (valid UTF-8 by construction).</summary>
    public static string Decode(ReadOnlySpan<byte> key) => Encoding.UTF8.GetString(key);

    /// <summary>Gives the pooled array back, if any.</summary>
    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
