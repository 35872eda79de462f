using ShmMaps.Folklore;

namespace ShmMaps;

public sealed partial class FolkloreMap<TValue>
{
    /// <summary>
    /// The slow path of every string overload, for keys <see cref="RegisterKey"/> does not take (short, long or not
    /// ASCII): encodes <paramref name="key"/> into a stack buffer, or a pooled array when long, and runs the UTF-8
    /// overload of <paramref name="operation"/>. Out of line, so that the fast paths keep no stack buffer.
    /// </summary>
    /// <param name="key">The key as given.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="value">In: the value to write; out: the value found, removed or stored.</param>
    /// <param name="update">The update of <see cref="StringKeyOperation.AddOrUpdate"/>.</param>
    /// <returns>The UTF-8 overload's result (true for <see cref="StringKeyOperation.Insert"/> and <see cref="StringKeyOperation.AddOrUpdate"/>).</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private bool RunOnUtf8(string key, StringKeyOperation operation, ref TValue value, Func<TValue, TValue>? update = null)
    {
        Span<byte> buffer = stackalloc byte[Utf8KeyBuffer.StackBytes];
        if (Utf8KeyBuffer.TryEncode(key, buffer, out int length))
        {
            return Run(buffer[..length], operation, ref value, update);
        }
        using Utf8KeyBuffer utf8 = Utf8KeyBuffer.From(key, _maxKeyBytes);
        if (utf8.Error is not null)
        {
            if (operation is StringKeyOperation.Lookup or StringKeyOperation.TryRemove)
            {
                value = default;
                return false; // a key that cannot be stored is not in the map
            }
            utf8.ThrowIfInvalid(nameof(key));
        }
        return Run(utf8.Bytes, operation, ref value, update);
    }

    private bool Run(ReadOnlySpan<byte> utf8Key, StringKeyOperation operation, ref TValue value, Func<TValue, TValue>? update)
    {
        switch (operation)
        {
            case StringKeyOperation.Lookup:
                return TryGetValue(utf8Key, out value);
            case StringKeyOperation.Insert:
                Insert(utf8Key, value);
                return true;
            case StringKeyOperation.TryAdd:
                return TryAdd(utf8Key, value);
            case StringKeyOperation.AddOrUpdate:
                value = AddOrUpdate(utf8Key, value, update!);
                return true;
            default:
                return TryRemove(utf8Key, out value);
        }
    }
}
