using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace ShmMaps.Core.Locking;

/// <summary>
/// The one way ShmMaps waits for another process: pauses that grow (spin, then yield the core, then sleep 1 ms at a
/// time), a liveness probe of the holder first after <see cref="FirstProbe"/> and then every <see cref="ProbeInterval"/>,
/// and a deadline of <see cref="ShmOptions.LockTimeout"/> counted from the first sight of the current holder.
/// </summary>
/// <remarks>
/// Holds are a few hundred nanoseconds, so a holder still there after <see cref="FirstProbe"/> is descheduled, stopped
/// or dead: only then is its liveness asked of the kernel. A live holder is waited for until the deadline; a dead one
/// is recovered by the waiter. Every wait of the library goes through here, so every wait ends.
/// </remarks>
internal struct LockWait
{
    /// <summary>When the holder's liveness is first asked.</summary>
    public static readonly TimeSpan FirstProbe = TimeSpan.FromMilliseconds(1);

    /// <summary>How often it is asked again.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(10);

    private const int SpinRounds = 10;
    private const int YieldRounds = 20;

    private readonly long _timeoutTicks;
    private long _start;
    private long _nextProbe;
    private int _round;

    /// <summary>A wait that starts now and ends at <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: never).</summary>
    public LockWait(TimeSpan timeout)
    {
        _timeoutTicks = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Ticks(timeout);
        _start = Stopwatch.GetTimestamp();
        _nextProbe = _start + Ticks(FirstProbe);
        _round = 0;
    }

    /// <summary>How long the wait has lasted since it started (or since <see cref="Restart"/>).</summary>
    public readonly TimeSpan Waited => Stopwatch.GetElapsedTime(_start);

    /// <summary>True once the timeout has passed.</summary>
    public readonly bool Expired => _timeoutTicks != long.MaxValue && Stopwatch.GetTimestamp() - _start >= _timeoutTicks;

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

    /// <summary>True when the holder's liveness is due to be asked (and schedules the next time).</summary>
    public bool ProbeDue()
    {
        long now = Stopwatch.GetTimestamp();
        if (now < _nextProbe)
        {
            return false;
        }
        _nextProbe = now + Ticks(ProbeInterval);
        return true;
    }

    /// <summary>
    /// After a pause and a fresh look that found the same holder still there: when a probe is due (and only then),
    /// whether it lives. False once it is dead (the caller recovers it, or takes over, and looks again). A live holder
    /// past the deadline ends the wait: <paramref name="onTimeout"/> (leaving things as the next waiter needs them), then
    /// a <see cref="TimeoutException"/> with <paramref name="describe"/>'s message, which names the holder and the wait.
    /// Every wait of the library ends here, so every timeout says what it waited for the same way.
    /// </summary>
    public bool HolderStays<TState>(TState state, Func<TState, bool> isAlive, Func<TState, TimeSpan, string> describe, Action<TState>? onTimeout = null)
    {
        if (!ProbeDue())
        {
            return true;
        }
        if (!isAlive(state))
        {
            return false;
        }
        if (Expired)
        {
            onTimeout?.Invoke(state);
            ThrowTimeout(state, describe);
        }
        return true;
    }

    /// <summary>Ends a wait whose deadline passed: a <see cref="TimeoutException"/> with <paramref name="describe"/>'s message (the holder, how long).</summary>
    [DoesNotReturn]
    public readonly void ThrowTimeout<TState>(TState state, Func<TState, TimeSpan, string> describe) => throw new TimeoutException(describe(state, Waited));

    /// <summary>Another holder is seen: the deadline and the first probe count from now.</summary>
    public void Restart()
    {
        _start = Stopwatch.GetTimestamp();
        _nextProbe = _start + Ticks(FirstProbe);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
