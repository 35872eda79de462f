using System.Diagnostics;
using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;

namespace ShmMaps.Core.Locking;

/// <summary>
/// Waits for a locked word to be released, recovering it if its owner is dead, or gives up with a
/// <see cref="TimeoutException"/> after the lock timeout when a live owner keeps it.
/// </summary>
/// <remarks>
/// Lock holds are a few hundred nanoseconds, so a word still locked after <see cref="FirstProbe"/> means a
/// descheduled, stopped or dead owner; only then is the owner's liveness asked of the kernel, and again
/// every <see cref="ProbeInterval"/>. The timeout counts from the first sight of the current owner.
/// </remarks>
internal static unsafe class LockWaiter
{
    public static readonly TimeSpan FirstProbe = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Returns the word at <paramref name="word"/> once it is unlocked. An owner proven dead is recovered by
    /// <paramref name="recoverDeadOwner"/> (given the word that names it; it must leave the word no longer locked by
    /// that owner), by default <see cref="LockRecovery.RecoverDeadOwner"/> (undo images in lane intents).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong WaitUnlocked(LaneTable lanes, ulong* word, ulong observed, TimeSpan timeout, Action<ulong>? recoverDeadOwner = null)
    {
        long start = Stopwatch.GetTimestamp();
        long nextProbe = start + Ticks(FirstProbe);
        ulong owner = observed & LockWord.OwnerMask;
        var backoff = new Backoff();
        while (true)
        {
            backoff.Pause();
            ulong current = SharedMemory.ReadAcquire(word);
            if (!LockWord.IsLocked(current))
            {
                return current;
            }
            long now = Stopwatch.GetTimestamp();
            if ((current & LockWord.OwnerMask) != owner)
            {
                owner = current & LockWord.OwnerMask;
                start = now;
                nextProbe = now + Ticks(FirstProbe);
                continue;
            }
            if (now < nextProbe)
            {
                continue;
            }
            if (lanes.IsOwnerDead(current))
            {
                if (recoverDeadOwner is null)
                {
                    LockRecovery.RecoverDeadOwner(lanes, lanes.Memory.OffsetOf(word), current);
                }
                else
                {
                    recoverDeadOwner(current);
                }
                continue;
            }
            if (now - start >= Ticks(timeout))
            {
                ThrowTimeout(lanes, current, Stopwatch.GetElapsedTime(start));
            }
            nextProbe = now + Ticks(ProbeInterval);
        }
    }

    /// <summary><paramref name="span"/> in <see cref="Stopwatch"/> ticks.</summary>
    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static void ThrowTimeout(LaneTable lanes, ulong word, TimeSpan waited)
    {
        int lane = LockWord.OwnerLane(word);
        int pid = lanes.Record(lane)->Pid;
        throw new TimeoutException(
            $"map '{lanes.MapName}': a lock is held by live process {pid} (lane {lane}) for {waited.TotalSeconds:F1} s; " +
            "it may be stopped or stuck (the lock timeout is ShmOptions.LockTimeout)");
    }
}
