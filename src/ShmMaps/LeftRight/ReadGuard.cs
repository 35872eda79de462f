using System.Collections;
using ShmMaps.Core.Epochs;
using ShmMaps.LeftRight;

namespace ShmMaps;

/// <summary>
/// A snapshot of a left-right map: the copy published when the outermost guard of this thread began, which
/// no writer touches until that guard is disposed. Lookups are plain loads, wait-free.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct ReadGuard<TKey, TValue> : IDisposable, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly LeftRightReader<TKey, TValue> _reader;
    private readonly ReaderSlotLease _lease;
    private readonly ulong _stamp;
    private readonly LeftRightCopy<TKey, TValue> _copy;

    internal ReadGuard(LeftRightReader<TKey, TValue> reader, ReaderSlotLease lease, ulong stamp)
    {
        _reader = reader;
        _lease = lease;
        _stamp = stamp;
        // Pinned: the writer moves this copy to another table only once no guard is on it.
        _copy = reader.TryCopy((int)(lease.Sequence & 1), out LeftRightCopy<TKey, TValue> copy) ? copy : EndAndThrowCorrupt(reader, lease, stamp);
    }

    /// <summary>The publish this snapshot shows (it never goes back: a later guard shows this one or a later one).</summary>
    public ulong Sequence
    {
        get
        {
            ThrowIfEnded();
            return _lease.Sequence;
        }
    }

    /// <summary>The number of entries in the snapshot.</summary>
    public long Count
    {
        get
        {
            ThrowIfEnded();
            return _reader.CountOf(Copy);
        }
    }

    /// <summary>The pinned copy: the outermost guard's, which this one shares while it is valid.</summary>
    private int Copy => (int)(_lease.Sequence & 1);

    /// <summary>The value of <paramref name="key"/> in the snapshot; null if absent.</summary>
    public TValue? Get(TKey key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>Looks <paramref name="key"/> up in the snapshot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        ThrowIfEnded();
        return _copy.TryGetValue(key, _reader.Hash(key), out value);
    }

    /// <summary>Whether <paramref name="key"/> is in the snapshot.</summary>
    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>The snapshot's entries, in table order.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        ThrowIfEnded();
        return Enumerate(this);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Ends the snapshot (the outermost guard of the thread lets the writer reuse the copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose() => _lease?.Exit(_stamp); // a default guard holds nothing

    private static IEnumerator<KeyValuePair<TKey, TValue>> Enumerate(ReadGuard<TKey, TValue> guard)
    {
        LeftRightCopy<TKey, TValue> copy = guard._copy;
        for (long cell = 0; cell < copy.CellCount; cell++)
        {
            guard.ThrowIfEnded();
            if (copy.TagAt(cell) != 0)
            {
                yield return new KeyValuePair<TKey, TValue>(copy.KeyAt(cell), copy.ValueAt(cell));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfEnded()
    {
        ReaderSlotLease lease = _lease;
        if (lease is null || !lease.IsOpen(_stamp))
        {
            ThrowEnded();
        }
    }

    /// <summary>A copy on a table the file has no room for (a damaged control block): the pin is ended before the error.</summary>
    private static LeftRightCopy<TKey, TValue> EndAndThrowCorrupt(LeftRightReader<TKey, TValue> reader, ReaderSlotLease lease, ulong stamp)
    {
        lease.Exit(stamp);
        return reader.Copy((int)(lease.Sequence & 1)); // throws CorruptMapException naming the table
    }

    private static void ThrowEnded() => throw new ObjectDisposedException(nameof(ReadGuard<TKey, TValue>), "the read guard has been disposed (or is a default one)");
}
