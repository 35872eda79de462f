using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace ShmMaps.Keys;

/// <summary>
/// A string key as UTF-8 bytes: <see cref="TryEncode"/> into a caller's stack buffer on the fast path, else
/// <see cref="From"/> into a pooled array given back on dispose, with the reason a key cannot be stored.
/// </summary>
internal ref struct Utf8KeyBuffer
{
    /// <summary>The stack buffer callers pass to <see cref="TryEncode"/>: keys of up to a third of this many chars never rent.</summary>
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

    /// <summary>A key <see cref="TryEncode"/> wrote into a caller's buffer: <paramref name="bytes"/> as they are.</summary>
    public static Utf8KeyBuffer OnStack(ReadOnlySpan<byte> bytes) => new(bytes, null, null);

    /// <summary>Encodes <paramref name="key"/> into a pooled array; a key over <paramref name="maxBytes"/> bytes or with a lone surrogate sets <see cref="Error"/>.</summary>
    public static Utf8KeyBuffer From(string key, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > maxBytes)
        {
            return new Utf8KeyBuffer(default, null, $"the key is longer than {maxBytes} UTF-8 bytes");
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(key.Length * 3);
        OperationStatus status = Utf8.FromUtf16(key, rented, out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            return new Utf8KeyBuffer(default, rented, "the key is not valid UTF-16 (it holds a lone surrogate)");
        }
        if (written > maxBytes)
        {
            return new Utf8KeyBuffer(default, rented, $"the key is {written} UTF-8 bytes, longer than {maxBytes}");
        }
        return new Utf8KeyBuffer(rented.AsSpan(0, written), rented, null);
    }

    /// <summary>
    /// The fast path of lookups and writes: encodes <paramref name="key"/> into <paramref name="buffer"/> when it
    /// surely fits (ASCII narrowed 16 chars at a time, anything else by <see cref="Utf8.FromUtf16"/>); false
    /// for a key too long for the buffer or not valid UTF-16, which <see cref="From"/> then handles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryEncode(string key, Span<byte> buffer, out int written)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > buffer.Length)
        {
            written = 0;
            return false;
        }
        if (NarrowAscii(key, buffer))
        {
            written = key.Length;
            return true;
        }
        written = 0;
        return key.Length * 3 <= buffer.Length
            && Utf8.FromUtf16(key, buffer, out _, out written, replaceInvalidSequences: false) == OperationStatus.Done;
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

    /// <summary>Copies <paramref name="key"/> into <paramref name="buffer"/> as bytes if every char is ASCII (buffer at least as long).</summary>
    private static bool NarrowAscii(string key, Span<byte> buffer)
    {
        ref ushort source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(key.AsSpan()));
        ref byte target = ref MemoryMarshal.GetReference(buffer);
        int length = key.Length;
        int i = 0;
        Vector128<ushort> nonAscii = Vector128.Create((ushort)0xFF80);
        for (; i + 16 <= length; i += 16)
        {
            Vector128<ushort> low = Vector128.LoadUnsafe(ref source, (nuint)i);
            Vector128<ushort> high = Vector128.LoadUnsafe(ref source, (nuint)(i + 8));
            if (((low | high) & nonAscii) != Vector128<ushort>.Zero)
            {
                return false;
            }
            Vector128.Narrow(low, high).StoreUnsafe(ref target, (nuint)i);
        }
        for (; i < length; i++)
        {
            ushort c = Unsafe.Add(ref source, i);
            if (c >= 0x80)
            {
                return false;
            }
            Unsafe.Add(ref target, i) = (byte)c;
        }
        return true;
    }

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
