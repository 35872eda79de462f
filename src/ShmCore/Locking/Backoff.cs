namespace ShmMaps.Core.Locking;

/// <summary>
/// Waiting for another process: spin with growing pauses, then yield the core, then sleep 1 ms at a time.
/// </summary>
internal struct Backoff
{
    private const int SpinRounds = 10;
    private const int YieldRounds = 20;
    private int _round;

    /// <summary>Waits a little longer than the last time.</summary>
    public void Pause()
    {
        if (_round < SpinRounds)
        {
            Thread.SpinWait(1 << _round);
        }
        else if (_round < SpinRounds + YieldRounds)
        {
            Thread.Yield();
        }
        else
        {
            Thread.Sleep(1);
        }
        _round++;
    }
}
