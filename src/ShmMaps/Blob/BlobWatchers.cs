namespace ShmMaps.Blob;

/// <summary>The watcher threads of one blob map handle: disposing the handle closes the set and waits until every thread has left the map's memory.</summary>
internal sealed class BlobWatchers
{
    private readonly CancellationTokenSource _closing = new();
    private int _running;
    private volatile bool _closed;

    public bool IsClosed => _closed;

    /// <summary>Cancelled when the set closes: a thread waiting for its consumer stops waiting.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Counts a thread in; <see cref="ObjectDisposedException"/> once closed.</summary>
    public void Enter()
    {
        Interlocked.Increment(ref _running); // full fence: Close sees this thread, or this thread sees it closed
        if (_closed)
        {
            Exit();
            throw new ObjectDisposedException(nameof(BlobMap), "the map handle is closed");
        }
    }

    public void Exit() => Interlocked.Decrement(ref _running);

    /// <summary>Closes the set and waits for its threads to leave, waking them with <paramref name="wake"/> meanwhile.</summary>
    public void Close(Action wake)
    {
        _closed = true;
        Interlocked.MemoryBarrier(); // full fence: a thread counted in before this is seen below, one after sees the set closed
        _closing.Cancel();
        while (Volatile.Read(ref _running) > 0)
        {
            wake();
            Thread.Sleep(1);
        }
    }
}
