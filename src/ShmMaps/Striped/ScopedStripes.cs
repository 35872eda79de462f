namespace ShmMaps.Striped;

/// <summary>
/// The stripes the <see cref="KeyLock{TKey,TValue}"/>s of one lane hold, in this handle: what tells a thread waiting
/// for its own KeyLock (a misuse, refused) from a stripe that a damaged file says the thread's lane holds.
/// </summary>
/// <remarks>Kept as the lane's attachment. A KeyLock may be released on another thread, hence the lock.</remarks>
internal sealed class ScopedStripes
{
    private readonly Dictionary<nint, int> _held = [];
    private bool _open;

    /// <summary>The set of <paramref name="lane"/> (a lane of this thread), made on first use.</summary>
    public static ScopedStripes Of(Lane lane)
    {
        if (lane.Attachment is not ScopedStripes stripes)
        {
            stripes = new ScopedStripes();
            lane.Attachment = stripes;
        }
        return stripes;
    }

    /// <summary>Whether a KeyLock of <paramref name="lane"/> holds <paramref name="stripe"/>.</summary>
    public static bool Holds(Lane lane, nint stripe) => lane.Attachment is ScopedStripes stripes && stripes.Contains(stripe);

    /// <summary>A KeyLock of the lane begins; <see cref="InvalidOperationException"/> if one is open (they would share the lane's scope log).</summary>
    public void Open()
    {
        lock (_held)
        {
            if (_open)
            {
                throw new InvalidOperationException("this thread holds a KeyLock of this map already; a thread holds one at a time (lock all its keys at once)");
            }
            _open = true;
        }
    }

    /// <summary>The lane's KeyLock has released its stripes.</summary>
    public void Close()
    {
        lock (_held)
        {
            _open = false;
        }
    }

    public void Add(nint stripe)
    {
        lock (_held)
        {
            _held[stripe] = _held.GetValueOrDefault(stripe) + 1;
        }
    }

    public void Remove(nint stripe)
    {
        lock (_held)
        {
            if (_held.TryGetValue(stripe, out int count) && count > 1)
            {
                _held[stripe] = count - 1;
            }
            else
            {
                _held.Remove(stripe);
            }
        }
    }

    private bool Contains(nint stripe)
    {
        lock (_held)
        {
            return _held.ContainsKey(stripe);
        }
    }
}
