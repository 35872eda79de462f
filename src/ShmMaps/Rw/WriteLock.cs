using ShmMaps.Rw;

namespace ShmMaps;

/// <summary>
/// The write lock on one element of an <see cref="RwStore{T}"/>: nobody else reads or writes the element until
/// it is disposed. Changes through <see cref="Value"/> are made in place; if the process dies before Dispose,
/// the element goes back to the value it had when the lock was taken.
/// </summary>
/// <remarks>
/// Dispose it exactly once (a <c>using</c>); disposing a copy again does nothing. It may be disposed on another
/// thread than the one that took it. <see cref="Value"/> after Dispose, or after the store's Dispose, throws <see cref="ObjectDisposedException"/>.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public readonly unsafe struct WriteLock<T> : IDisposable where T : unmanaged
{
    private readonly ElementHold _hold;

    internal WriteLock(ElementHold hold) => _hold = hold;

    /// <summary>The element, read and written in place.</summary>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref *(T*)_hold.CheckedValue();
    }

    /// <summary>Releases the lock; the element's value from here on is the one written.</summary>
    public void Dispose()
    {
        if (_hold.Record != null)
        {
            ElementLocks.ReleaseWrite(_hold.Table, _hold.Record, _hold.Held, _hold.Word);
        }
    }
}
