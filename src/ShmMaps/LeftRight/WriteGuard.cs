namespace ShmMaps;

/// <summary>
/// The open batch of a <see cref="LeftRightWriter{TKey,TValue}"/>: reads see its own changes; readers see
/// none of them until it is disposed, then all of them at once.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class WriteGuard<TKey, TValue> : IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly LeftRightWriter<TKey, TValue> _writer;
    private bool _disposed;

    internal WriteGuard(LeftRightWriter<TKey, TValue> writer) => _writer = writer;

    /// <summary>The number of entries, with this guard's changes.</summary>
    public long Count => Writer.StandbyCount;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, adding it if absent; <see cref="MapFullException"/> if no cell is left.</summary>
    public void Insert(TKey key, TValue value) => Writer.Insert(key, value);

    /// <summary>Removes <paramref name="key"/>; false if absent.</summary>
    public bool Remove(TKey key) => Writer.Remove(key);

    /// <summary>Sets <paramref name="key"/> to <paramref name="update"/> of its value; false (and no call) if absent.</summary>
    public bool Replace(TKey key, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        LeftRightWriter<TKey, TValue> writer = Writer;
        if (!writer.TryGetValue(key, out TValue value))
        {
            return false;
        }
        writer.Insert(key, update(value));
        return true;
    }

    /// <summary>The value of <paramref name="key"/> with this guard's changes; null if absent.</summary>
    public TValue? Get(TKey key) => Writer.TryGetValue(key, out TValue value) ? value : null;

    /// <summary>Looks <paramref name="key"/> up, with this guard's changes.</summary>
    public bool TryGetValue(TKey key, out TValue value) => Writer.TryGetValue(key, out value);

    /// <summary>Whether <paramref name="key"/> is present, with this guard's changes.</summary>
    public bool ContainsKey(TKey key) => Writer.TryGetValue(key, out _);

    /// <summary>Publishes the changes (if there are any): guards taken from now on see them all.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _writer.Publish(this);
    }

    private LeftRightWriter<TKey, TValue> Writer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.ThrowIfDisposed();
            return _writer;
        }
    }
}
