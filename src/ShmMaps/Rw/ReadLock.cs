using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
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
    private readonly RwTable _table;
    private readonly HoldRecord* _record;
    private readonly ulong _held;
    private readonly ulong* _word;
    private readonly T* _value;

    internal ReadLock(RwTable table, HoldRecord* record, ulong held, ulong* word, T* value)
    {
        _table = table;
        _record = record;
        _held = held;
        _word = word;
        _value = value;
    }

    /// <summary>The element, read in place.</summary>
    public ref readonly T Value
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

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_record != null)
        {
            ElementLocks.ReleaseRead(_table, _record, _held, _word);
        }
    }
}
