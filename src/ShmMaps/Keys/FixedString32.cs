using System.Text;

namespace ShmMaps;

/// <summary>
/// A string of at most 31 UTF-8 bytes stored inline in 32 bytes, usable as a key or value of any map.
/// </summary>
/// <remarks>
/// <code>
/// [0 length][1..31 UTF-8 bytes, zero-padded]
/// </code>
/// Two values are equal when their bytes are equal, which is also how maps compare keys.
/// </remarks>
public readonly struct FixedString32 : IEquatable<FixedString32>, ISpanParsable<FixedString32>
{
    /// <summary>The largest number of UTF-8 bytes a value holds.</summary>
    public const int MaxBytes = 31;

    private readonly Bytes32 _bytes;

    /// <summary>Encodes <paramref name="value"/>; <see cref="ArgumentException"/> if it needs more than 31 UTF-8 bytes.</summary>
    public FixedString32(string value)
        : this(value ?? throw new ArgumentNullException(nameof(value)), out _)
    {
    }

    /// <summary>Encodes <paramref name="value"/>; <see cref="ArgumentException"/> if it needs more than 31 UTF-8 bytes.</summary>
    public FixedString32(ReadOnlySpan<char> value)
        : this(value, out _)
    {
    }

    private FixedString32(ReadOnlySpan<char> value, out int count)
    {
        count = Encoding.UTF8.GetByteCount(value);
        if (count > MaxBytes)
        {
            throw new ArgumentException($"'{value}' is {count} UTF-8 bytes; FixedString32 holds at most {MaxBytes}", nameof(value));
        }
        Span<byte> span = _bytes;
        span[0] = (byte)count;
        Encoding.UTF8.GetBytes(value, span[1..]);
    }

    /// <summary>Whether <paramref name="value"/> fits (at most 31 UTF-8 bytes).</summary>
    public static bool Fits(ReadOnlySpan<char> value) => Encoding.UTF8.GetByteCount(value) <= MaxBytes;

    /// <summary>Encodes <paramref name="s"/>; <see cref="ArgumentException"/> if it needs more than 31 UTF-8 bytes.</summary>
    public static FixedString32 Parse(string s, IFormatProvider? provider) => new(s);

    /// <summary>Encodes <paramref name="s"/>; <see cref="ArgumentException"/> if it needs more than 31 UTF-8 bytes.</summary>
    public static FixedString32 Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => new(s);

    /// <summary>Encodes <paramref name="s"/>; false if it is null or needs more than 31 UTF-8 bytes.</summary>
    public static bool TryParse(string? s, IFormatProvider? provider, out FixedString32 result) => TryParse(s.AsSpan(), provider, out result) && s is not null;

    /// <summary>Encodes <paramref name="s"/>; false if it needs more than 31 UTF-8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out FixedString32 result)
    {
        result = Fits(s) ? new FixedString32(s) : default;
        return Fits(s);
    }

    /// <summary>The number of UTF-8 bytes.</summary>
    public int Length => Math.Min(((ReadOnlySpan<byte>)_bytes)[0], (byte)MaxBytes);

    /// <summary>A copy of the UTF-8 bytes.</summary>
    public byte[] ToUtf8Bytes() => ((ReadOnlySpan<byte>)_bytes).Slice(1, Length).ToArray();

    /// <summary>Encodes a string.</summary>
    public static implicit operator FixedString32(string value) => new(value);

    /// <summary>Compares the bytes.</summary>
    public static bool operator ==(FixedString32 left, FixedString32 right) => left.Equals(right);

    /// <summary>Compares the bytes.</summary>
    public static bool operator !=(FixedString32 left, FixedString32 right) => !left.Equals(right);

    /// <summary>The decoded string (invalid UTF-8 bytes, possible in a damaged file, become U+FFFD).</summary>
    public override string ToString() => Encoding.UTF8.GetString(((ReadOnlySpan<byte>)_bytes).Slice(1, Length));

    /// <inheritdoc/>
    public bool Equals(FixedString32 other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FixedString32 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    [InlineArray(32)]
    private struct Bytes32
    {
        private byte _element0;
    }
}
