using System.Diagnostics;
using ShmMaps.Core.Epochs;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

/// <summary>What the writer waits for, staged in a slot's pin word.</summary>
public sealed unsafe class ReaderSlotWaitTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AGuardSeenEnteringIsWaitedForUntilItEndsWhenItTurnsOutToBeOnTheCopy()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("entering", 10, _dir.Options);
        LeftRightChildRoles.WriteBatch(writer, 1, 1); // readers now on copy 1
        using var reader = LeftRightMap.OpenReader<long, long>("entering", _dir.Options);
        ReaderSlotTable slots = reader.Slots;
        ReadGuard<long, long> guard = reader.Guard();
        ReaderSlotLease lease = slots.Current;
        ReaderSlot* slot = slots.Slot(lease.Index);
        ulong enters = lease.Enters;

        // A guard that announced itself, then read the sequence from before a flip: entering, then on the copy.
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters, ReaderPin.Entering));
        var clock = Stopwatch.StartNew();
        Task<int> wait = WaitOnNewThread(slots);
        Thread.Sleep(200);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters, ReaderPin.OnCopy(1)));
        Thread.Sleep(200);
        Assert.False(wait.IsCompleted, "the writer stopped waiting while the guard was still on the copy");
        guard.Dispose();
        Assert.Equal(0, wait.Result);
        Assert.True(clock.ElapsedMilliseconds >= 400);

        // A guard that says it reads the other copy, or a later guard entering, is not waited for.
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters, ReaderPin.OnCopy(0)));
        Assert.Equal(0, slots.WaitForReadersOf(1, TimeSpan.FromMilliseconds(1)));
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters, ReaderPin.Entering));
        Task<int> waitForLater = WaitOnNewThread(slots);
        Thread.Sleep(100);
        Assert.False(waitForLater.IsCompleted);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 1, ReaderPin.Entering)); // ended, and a new guard began
        Assert.True(waitForLater.Wait(TimeSpan.FromSeconds(10)));
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters, ReaderPin.Idle));
    }

    /// <summary>The writer's wait for copy 1, begun on a thread of its own (a pool thread might start too late to see the staged word).</summary>
    private static Task<int> WaitOnNewThread(ReaderSlotTable slots)
    {
        var result = new TaskCompletionSource<int>();
        using var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            started.Set();
            try
            {
                result.SetResult(slots.WaitForReadersOf(1, TimeSpan.FromSeconds(30)));
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        thread.Start();
        started.Wait();
        return result.Task;
    }
}
