using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Inspection;
using ShmMaps.Rw;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Rw;

/// <summary>
/// White-box: a handle that stops in the middle of taking a slot, then closes (its lanes die as a killed
/// process's would), and what the others make of the free list afterwards. No slot is lost or listed twice.
/// </summary>
public sealed unsafe class FreeListRecoveryTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ASlotTakenButNeverFilledIsListedAgainByRecover()
    {
        using var store = RwStore<long>.Create("taken", _dir.Options);
        ShmId kept = store.Insert(1);
        long lost = StopAfterTaking(HoldState.Taken, releaseLock: true);

        CheckReport check = MapInspector.Check("taken", _dir.Options);
        Assert.True(check.IsSound, string.Join("; ", check.Problems));
        Assert.Contains(check.Notes, n => n.Contains($"slot {lost} was taken by dead process"));

        CheckReport recovered = MapInspector.Recover("taken", _dir.Options);
        Assert.True(recovered.IsSound, string.Join("; ", recovered.Problems));
        Assert.Empty(recovered.Notes);
        Assert.Equal(lost, store.Insert(2).Slot);
        Assert.Equal(lost + 1, store.Insert(3).Slot);
        Assert.True(store.TryRead(kept, TimeSpan.Zero, out ReadLock<long> guard));
        guard.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADeadOwnerOfTheListLockIsFinishedByTheNextInsert(bool fromList)
    {
        using var store = RwStore<long>.Create("locked", _dir.Options);
        ShmId first = store.Insert(1);
        if (fromList)
        {
            Assert.True(store.TryRemove(first, out _));
        }
        // The dead handle changed the list (or the fresh counter) but had not yet said Taken when it died.
        long slot = StopAfterTaking(HoldState.Taking, releaseLock: false);
        Assert.Equal(fromList ? first.Slot : 1, slot);

        ShmId next = store.Insert(7);
        Assert.Equal(slot, next.Slot);
        ShmId after = store.Insert(8);
        Assert.NotEqual(slot, after.Slot);
        CheckReport report = MapInspector.Check("locked", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Empty(report.Notes);
    }

    /// <summary>
    /// A second handle takes a slot, leaves its allocation record in <paramref name="state"/> (and the list lock held
    /// unless <paramref name="releaseLock"/>), and closes; returns the slot.
    /// </summary>
    private long StopAfterTaking(HoldState state, bool releaseLock)
    {
        long slot = -1;
        var thread = new Thread(() =>
        {
            var other = RwStore<long>.Open(RwStoreName(), _dir.Options);
            RwTable table = other.Table;
            LaneHolds holds = table.CurrentHolds();
            FreeList.Lock(table, holds);
            Assert.True(FreeList.Take(table, holds, out slot, out _));
            ulong word = SharedMemory.ReadAcquire(&holds.Allocation->State);
            SharedMemory.WriteRelease(&holds.Allocation->State, HoldRecord.WithState(word, state));
            if (releaseLock)
            {
                FreeList.Unlock(table);
            }
            Assert.True(LockWord.IsLocked(table.Control->FreeListLock) != releaseLock);
            other.Dispose();
        });
        thread.Start();
        thread.Join();
        return slot;
    }

    private string RwStoreName() => File.Exists(_dir.FileOf("taken")) ? "taken" : "locked";
}
