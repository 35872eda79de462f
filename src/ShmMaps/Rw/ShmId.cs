using System.Globalization;

namespace ShmMaps;

/// <summary>
/// The id of an element of an <see cref="RwStore{T}"/>: which store, which slot, which generation of that slot.
/// </summary>
/// <remarks>
/// <see cref="Value"/> is <c>[63..32 generation][31..0 slot]</c>; <see cref="Store"/> is the store's identity,
/// a random 64-bit number chosen when the store was created. An id of a removed element (its slot reused by
/// another), of another store, or <c>default</c> locks nothing: the store answers <c>false</c>. Ids print as
/// <c>store-value</c> in hexadecimal and parse back, so they can cross processes on any channel.
/// </remarks>
public readonly struct ShmId : IEquatable<ShmId>, ISpanFormattable
{
    /// <summary>An id from its two halves.</summary>
    public ShmId(ulong store, ulong value)
    {
        Store = store;
        Value = value;
    }

    /// <summary>The slot and its generation: <c>[63..32 generation][31..0 slot]</c>.</summary>
    public ulong Value { get; }

    /// <summary>The identity of the store the id belongs to.</summary>
    public ulong Store { get; }

    /// <summary>The slot the element lives in.</summary>
    public long Slot => (long)(uint)Value;

    /// <summary>The slot's generation when the element was inserted (never 0 for a real id).</summary>
    public uint Generation => (uint)(Value >> 32);

    /// <summary>Parses the form <see cref="ToString()"/> writes; <see cref="FormatException"/> otherwise.</summary>
    public static ShmId Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, out ShmId id) ? id : throw new FormatException($"'{s}' is not an id: expected 16 hex digits, '-', 16 hex digits");
    }

    /// <summary>Parses the form <see cref="ToString()"/> writes.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out ShmId id)
    {
        id = default;
        if (s.Length != 33 || s[16] != '-'
            || !ulong.TryParse(s[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong store)
            || !ulong.TryParse(s[17..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
        {
            return false;
        }
        id = new ShmId(store, value);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(ShmId other) => Value == other.Value && Store == other.Store;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ShmId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Store, Value);

    /// <summary>The id as <c>store-value</c>, each 16 hexadecimal digits.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Store:x16}-{Value:x16}");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Store:x16}-{Value:x16}", out charsWritten);

    /// <summary>Equal when store, slot and generation are.</summary>
    public static bool operator ==(ShmId left, ShmId right) => left.Equals(right);

    /// <summary>Different when store, slot or generation is.</summary>
    public static bool operator !=(ShmId left, ShmId right) => !left.Equals(right);
}
