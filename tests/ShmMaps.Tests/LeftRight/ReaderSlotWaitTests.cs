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
    public void AGuardSeenOnTheCopyIsWaitedForUntilItEndsOrMovesToTheOtherCopy()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("on-copy", 10, _dir.Options);
        LeftRightChildRoles.WriteBatch(writer, 1, 1); // readers now on copy 1
        using var reader = LeftRightMap.OpenReader<long, long>("on-copy", _dir.Options);
        ReaderSlotTable slots = reader.Slots;
        ReadGuard<long, long> guard = reader.Guard();
        ReaderSlotLease lease = slots.Current;
        ReaderSlot* slot = slots.Slot(lease.Index);
        ulong enters = lease.Enters;
        Assert.Equal(ReaderPin.Make(enters, ReaderPin.OnCopy(1)), Volatile.Read(ref slot->Pin));
        Assert.Equal(1UL, slot->PinnedSequence);

        // A guard on the copy is waited for until it ends.
        var clock = Stopwatch.StartNew();
        Task<int> wait = WaitOnNewThread(slots);
        Thread.Sleep(300);
        Assert.False(wait.IsCompleted, "the writer stopped waiting while the guard was still on the copy");
        guard.Dispose();
        Assert.Equal(ReaderPin.Make(enters, ReaderPin.Idle), Volatile.Read(ref slot->Pin));
        Assert.Equal(0, wait.Result);
        Assert.True(clock.ElapsedMilliseconds >= 300);

        // A guard that announced the copy, then read the sequence again and found it flipped, moves to the other
        // copy before it reads anything: the writer stops waiting for it then.
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 1, ReaderPin.OnCopy(1)));
        Task<int> waitForMoving = WaitOnNewThread(slots);
        Thread.Sleep(100);
        Assert.False(waitForMoving.IsCompleted);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 1, ReaderPin.OnCopy(0)));
        Assert.True(waitForMoving.Wait(TimeSpan.FromSeconds(10)));

        // A guard on the other copy is not waited for; nor is a later guard on the copy than the one seen.
        Assert.Equal(0, slots.WaitForReadersOf(1, TimeSpan.FromMilliseconds(1)));
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 1, ReaderPin.OnCopy(1)));
        Task<int> waitForLater = WaitOnNewThread(slots);
        Thread.Sleep(100);
        Assert.False(waitForLater.IsCompleted);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 2, ReaderPin.OnCopy(1))); // ended, and a new guard began
        Assert.True(waitForLater.Wait(TimeSpan.FromSeconds(10)));

        // A guard whose first announcement raced a publish announces itself entering (either copy), then says
        // which copy it reads: waited for while entering, and then while on the copy.
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.Entering));
        Task<int> waitForEntering = WaitOnNewThread(slots);
        Thread.Sleep(100);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.OnCopy(1)));
        Thread.Sleep(100);
        Assert.False(waitForEntering.IsCompleted, "the writer stopped waiting while the guard was still on the copy");
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.Idle));
        Assert.True(waitForEntering.Wait(TimeSpan.FromSeconds(10)));
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.Entering));
        Task<int> waitForEnteringOther = WaitOnNewThread(slots);
        Thread.Sleep(100);
        Assert.False(waitForEnteringOther.IsCompleted);
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.OnCopy(0)));
        Assert.True(waitForEnteringOther.Wait(TimeSpan.FromSeconds(10)));
        Volatile.Write(ref slot->Pin, ReaderPin.Make(enters + 3, ReaderPin.Idle));
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
