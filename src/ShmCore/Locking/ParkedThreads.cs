namespace ShmMaps.Core.Locking;

/// <summary>
/// The threads of one map handle that wait inside the map's memory (parked on a futex word, following a log): closing
/// the handle closes the set and waits until every one of them has left, waking them meanwhile, before the memory is
/// unmapped.
/// </summary>
internal sealed class ParkedThreads
{
    private readonly CancellationTokenSource _closing = new();
    private int _inside;
    private volatile bool _closed;

    public bool IsClosed => _closed;

    /// <summary>Cancelled when the set closes: a thread waiting for something else (a consumer) stops waiting.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Counts a thread in; <see cref="ObjectDisposedException"/> naming map <paramref name="mapName"/> once closed.</summary>
    public void Enter(string mapName)
    {
        Interlocked.Increment(ref _inside); // full fence: Close sees this thread, or this thread sees the set closed
        if (_closed)
        {
            Exit();
            ThrowHelper.ThrowDisposed(mapName);
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inside);

    /// <summary>Closes the set and waits for its threads to leave, waking them with <paramref name="wake"/> meanwhile.</summary>
    public void Close(Action wake)
    {
        _closed = true;
        Interlocked.MemoryBarrier(); // full fence: a thread counted in before this is seen below, one after sees the set closed
        _closing.Cancel();
        while (Volatile.Read(ref _inside) > 0)
        {
            wake();
            Thread.Sleep(1);
        }
    }
}
