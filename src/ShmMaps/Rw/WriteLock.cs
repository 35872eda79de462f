using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
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
    private readonly RwTable _table;
    private readonly HoldRecord* _record;
    private readonly ulong _held;
    private readonly ulong* _word;
    private readonly T* _value;

    internal WriteLock(RwTable table, HoldRecord* record, ulong held, ulong* word, T* value)
    {
        _table = table;
        _record = record;
        _held = held;
        _word = word;
        _value = value;
    }

    /// <summary>The element, read and written in place.</summary>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // Acquire: pairs with the release that frees the record, so a released lock is seen as released.
            if (_record == null || _table.Region.IsDisposed || SharedMemory.ReadAcquire(&_record->State) != _held)
            {
                ElementLocks.ThrowReleased();
            }
            return ref *_value;
        }
    }

    /// <summary>Releases the lock; the element's value from here on is the one written.</summary>
    public void Dispose()
    {
        if (_record != null)
        {
            ElementLocks.ReleaseWrite(_table, _record, _held, _word);
        }
    }
}
