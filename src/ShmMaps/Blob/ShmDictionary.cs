using System.Buffers;
using System.Globalization;

namespace ShmMaps;

/// <summary>
/// A typed face over a <see cref="BlobMap"/>: .NET values under keys of <typeparamref name="TKey"/>, shared by name
/// with every process that opens the map. Values are stored as their serializer's bytes (<see cref="ShmSerializer"/>:
/// strings as UTF-8, byte arrays as they are, unmanaged types as their bytes, anything else as JSON unless another
/// serializer is given), so that a process of another language or build reads what it knows the format of.
/// </summary>
/// <remarks>
/// Keys are strings, or values of a type that formats itself as UTF-8 (<see cref="IUtf8SpanFormattable"/>: integers,
/// <see cref="Guid"/>, dates), formatted with the invariant culture. Every operation is one of the map's: atomic for
/// every process, readers never blocked.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class ShmDictionary<TKey, TValue> : IDisposable
    where TKey : notnull
{
    private readonly BlobMap _map;
    private readonly bool _ownsMap;
    private readonly IShmSerializer<TValue> _values;
    private readonly ArrayBufferWriter<byte> _writeBuffer = new();

    /// <summary>The dictionary over <paramref name="map"/> (which stays the caller's), values through <paramref name="serializer"/> (default: the built-in one of <typeparamref name="TValue"/>).</summary>
    public ShmDictionary(BlobMap map, IShmSerializer<TValue>? serializer = null)
        : this(map, ownsMap: false, serializer)
    {
    }

    private ShmDictionary(BlobMap map, bool ownsMap, IShmSerializer<TValue>? serializer)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (typeof(TKey) != typeof(string) && !typeof(IUtf8SpanFormattable).IsAssignableFrom(typeof(TKey)))
        {
            throw new NotSupportedException($"a ShmDictionary's keys are strings or IUtf8SpanFormattable values; {typeof(TKey).Name} is neither");
        }
        _values = serializer ?? ShmSerializer.BuiltIn<TValue>()
            ?? throw new ArgumentException($"{typeof(TValue).Name} has no built-in serializer: pass one, e.g. ShmSerializer.Json(MyContext.Default.{typeof(TValue).Name})", nameof(serializer));
        _map = map;
        _ownsMap = ownsMap;
    }

    /// <summary>Opens the map <paramref name="name"/>, creating it for about <paramref name="capacity"/> keys if it does not exist; the dictionary owns it.</summary>
    public static ShmDictionary<TKey, TValue> OpenOrCreate(string name, long capacity, ShmOptions? options = null, IShmSerializer<TValue>? serializer = null)
    {
        BlobMap map = BlobMap.OpenOrCreate(name, capacity, options);
        try
        {
            return new ShmDictionary<TKey, TValue>(map, ownsMap: true, serializer);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>The map the values live in.</summary>
    public BlobMap Map => _map;

    /// <summary>The number of keys.</summary>
    public long Count => _map.Count;

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent; set adds or replaces.</summary>
    public TValue this[TKey key]
    {
        get => TryGetValue(key, out TValue? value) ? value : throw new KeyNotFoundException($"key '{key}' is not in map '{_map.Name}'");
        set => Set(key, value);
    }

    /// <summary>The value of <paramref name="key"/>; false if absent. <see cref="FormatException"/> if its bytes are not a <typeparamref name="TValue"/>.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        if (!_map.TryGetValue(Key(key, stackalloc byte[KeyStack]), buffer))
        {
            value = default;
            return false;
        }
        value = _values.Deserialize(buffer.WrittenSpan);
        return true;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding the key if absent. Not for use by two threads of one dictionary at once (its buffer is its own); open one per thread.</summary>
    public void Set(TKey key, TValue value)
    {
        _writeBuffer.ResetWrittenCount();
        _values.Serialize(value, _writeBuffer);
        _map.Set(Key(key, stackalloc byte[KeyStack]), _writeBuffer.WrittenSpan);
    }

    /// <summary>True if the map holds <paramref name="key"/>.</summary>
    public bool ContainsKey(TKey key) => _map.ContainsKey(Key(key, stackalloc byte[KeyStack]));

    /// <summary>Removes <paramref name="key"/>; false if absent.</summary>
    public bool TryRemove(TKey key) => _map.TryRemove(Key(key, stackalloc byte[KeyStack]));

    /// <summary>Closes the map if the dictionary opened it.</summary>
    public void Dispose()
    {
        if (_ownsMap)
        {
            _map.Dispose();
        }
    }

    private const int KeyStack = 256;

    /// <summary>The key's UTF-8 bytes: in <paramref name="stack"/> when they fit, else in an array.</summary>
    private static ReadOnlySpan<byte> Key(TKey key, Span<byte> stack)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key is string text)
        {
            return System.Text.Encoding.UTF8.GetByteCount(text) <= stack.Length
                ? stack[..System.Text.Encoding.UTF8.GetBytes(text, stack)]
                : System.Text.Encoding.UTF8.GetBytes(text);
        }
        var formattable = (IUtf8SpanFormattable)key;
        return formattable.TryFormat(stack, out int written, default, CultureInfo.InvariantCulture)
            ? stack[..written]
            : System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{key}"));
    }
}
