using ShmMaps.Core.Registry;
using ShmMaps.Keys;
using ShmMaps.Striped;

namespace ShmMaps;

/// <summary>
/// The stripes of a set of keys, locked for one scope: the named keys are read and written through it, and no
/// other process sees any of its writes half done. Dispose releases the stripes.
/// </summary>
/// <remarks>
/// Each write is crash-atomic on its own (the entry is whole, at its old or new value). A process killed inside
/// the scope keeps the writes it completed: the next process to need one of the stripes finds the holder dead,
/// restores the entry it was writing if any, and releases the stripe.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed unsafe class KeyLock<TKey, TValue> : IDisposable
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly StripedMap<TKey, TValue> _map;
    private readonly Lane _lane;
    private readonly TKey[] _keys;
    private readonly long[] _stripeOfKey;
    private readonly long[] _stripes;
    private readonly nint[] _words;
    private readonly ulong[] _lockedFrom;
    private int _held;

    internal KeyLock(StripedMap<TKey, TValue> map, Lane lane, TKey[] keys)
    {
        _map = map;
        _lane = lane;
        _keys = (TKey[])keys.Clone();
        _stripeOfKey = new long[_keys.Length];
        var stripes = new SortedDictionary<long, nint>();
        for (int i = 0; i < _keys.Length; i++)
        {
            byte* stripe = map.StripeOf(_keys[i], out long index);
            _stripeOfKey[i] = index;
            stripes[index] = (nint)stripe;
        }
        _stripes = [.. stripes.Keys];
        _words = [.. stripes.Values];
        _lockedFrom = new ulong[_stripes.Length];
        try
        {
            for (; _held < _words.Length; _held++)
            {
                _lockedFrom[_held] = map.LockStripe(lane, (byte*)_words[_held]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent.</summary>
    public TValue this[TKey key]
    {
        get
        {
            if (!TryGetValue(key, out TValue value))
            {
                throw new KeyNotFoundException($"key '{key}' is not in the map");
            }
            return value;
        }
        set => Insert(key, value);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public TValue? Get(TKey key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>Reads <paramref name="key"/> (one of the locked keys).</summary>
    public bool TryGetValue(TKey key, out TValue value)
    {
        byte* cell = _map.FindLocked(Stripe(key), key);
        value = cell is null ? default : StripedMap<TKey, TValue>.ValueOfCell(cell);
        return cell is not null;
    }

    /// <summary>Sets <paramref name="key"/> (one of the locked keys), adding it if absent.</summary>
    public void Insert(TKey key, TValue value) => _map.UpsertLocked(_lane, Stripe(key), key, value, overwrite: true);

    /// <summary>Removes <paramref name="key"/> (one of the locked keys), giving its value.</summary>
    public bool TryRemove(TKey key, out TValue value) => _map.RemoveLocked(_lane, Stripe(key), key, out value);

    /// <summary>Releases the stripes (in reverse order).</summary>
    public void Dispose()
    {
        while (_held > 0)
        {
            _held--;
            StripeHold.Release((byte*)_words[_held], _lockedFrom[_held]);
        }
    }

    /// <summary>The held stripe of <paramref name="key"/>; <see cref="ArgumentException"/> if it is not one of the locked keys.</summary>
    private byte* Stripe(in TKey key)
    {
        ObjectDisposedException.ThrowIf(_held < _stripes.Length, this);
        for (int i = 0; i < _keys.Length; i++)
        {
            if (KeyBytes<TKey>.Equal(_keys[i], key))
            {
                return (byte*)_words[Array.BinarySearch(_stripes, _stripeOfKey[i])];
            }
        }
        throw new ArgumentException($"key '{key}' is not one of the keys this KeyLock holds", nameof(key));
    }
}
