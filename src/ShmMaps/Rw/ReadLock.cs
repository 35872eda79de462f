using ShmMaps.Rw;

namespace ShmMaps;

/// <summary>
/// A read lock on one element of an <see cref="RwStore{T}"/>: the element cannot be written or removed until
/// it is disposed. Any number of readers, in any process, may hold one at once.
/// </summary>
/// <remarks>
/// Dispose it exactly once (a <c>using</c>); disposing a copy again does nothing. It may be disposed on another
/// thread than the one that took it. <see cref="Value"/> after Dispose, or after the store's Dispose, throws <see cref="ObjectDisposedException"/>.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public readonly unsafe struct ReadLock<T> : IDisposable where T : unmanaged
{
    private readonly ElementHold _hold;

    internal ReadLock(ElementHold hold) => _hold = hold;

    /// <summary>The element, read in place.</summary>
    public ref readonly T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref *(T*)_hold.CheckedValue();
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_hold.Record != null)
        {
            ElementLocks.ReleaseRead(_hold.Table, _hold.Record, _hold.Held, _hold.Word);
        }
    }
}
