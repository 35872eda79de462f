namespace ShmMaps.Striped;

/// <summary>A stripe of the newest table locked by one lane for one operation; disposing releases it with the next version.</summary>
internal readonly unsafe ref struct StripeHold
{
    private readonly ulong _lockedFrom;

    public StripeHold(Lane lane, StripedView view, byte* stripe, ulong hash, ulong lockedFrom)
    {
        Lane = lane;
        View = view;
        Stripe = stripe;
        Hash = hash;
        _lockedFrom = lockedFrom;
    }

    /// <summary>The lane the stripe is locked by; writes under it record their intent there.</summary>
    public Lane Lane { get; }

    /// <summary>The tables the state word named when the stripe was locked (still the newest: checked after the lock).</summary>
    public StripedView View { get; }

    /// <summary>The stripe, its lock word first.</summary>
    public byte* Stripe { get; }

    /// <summary>The hash of the key the stripe was locked for (it chose the stripe; it chooses the home cell).</summary>
    public ulong Hash { get; }

    /// <summary>Step 6 of the write protocol: releases the stripe.</summary>
    public void Dispose() => Release(Stripe, _lockedFrom);

    /// <summary>Releases <paramref name="stripe"/>, locked from <paramref name="lockedFrom"/>, with the next version (release: every write under it is visible first).</summary>
    public static void Release(byte* stripe, ulong lockedFrom) => RobustLock.Release((ulong*)stripe, lockedFrom);
}
