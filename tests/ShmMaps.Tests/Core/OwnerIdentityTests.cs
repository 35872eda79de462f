using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;
using ShmMaps.Rw;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>
/// A word names its holder by lane and 16 (RwStore recoverers: 15) bits of the lane's generation. These stage, exactly,
/// what a holder killed at the wrong moment leaves, and check that no word can name a later holder of the same lane:
/// whoever claims a lane releases every word its earlier holders left, and a recoverer that gives up names nobody.
/// Every wait ends within <see cref="ShmOptions.LockTimeout"/>.
/// </summary>
public sealed unsafe class OwnerIdentityTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AKilledKeyLockHoldersStripesAreReleasedByTheLanesNextHolderEvenWhenItsGenerationComesRound()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 1, LockTimeout = TimeSpan.FromSeconds(2) };
        long a, b, c;
        using (var creator = StripedMap<long, long>.Create("scoped", 1000, stripeCount: 64, options))
        {
            a = 1;
            creator.StripeOf(a, out long stripeA);
            b = Enumerable.Range(2, 1000).First(k => { creator.StripeOf(k, out long s); return s != stripeA; });
            creator.StripeOf(b, out long stripeB);
            c = Enumerable.Range(2, 1000).First(k => { creator.StripeOf(k, out long s); return s != stripeA && s != stripeB; });
            creator[a] = 10;
            creator[b] = 20;
        }
        using (var child = ChildProcess.Start("striped-hold", _dir.Path, "scoped", a, b))
        {
            Assert.Equal("locked", child.ReadLine());
            child.Kill();
        }
        using var map = StripedMap<long, long>.Open("scoped", options);
        // 65,535 claims of the lane later, the next holder's generation has the dead holder's low 16 bits.
        LaneRecord* lane = map.Region.Lanes.Record(0);
        lane->Generation += 0xFFFF;

        map[c] = 30; // claims the only lane: its earlier holder's stripes are released before it is used
        Assert.False(LockWord.IsLocked(*(ulong*)map.StripeOf(a, out _)));
        Assert.False(LockWord.IsLocked(*(ulong*)map.StripeOf(b, out _)));
        Assert.Equal((ushort)(lane->Generation), (ushort)(lane->Generation - 0x10000));
        Assert.Equal(10, map[a]);
        map[a] = 11;
        map[b] = 21;
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void ARecovererThatGivesUpNamesNoLaneSoALaterHolderOfItsLaneIsNotTakenForIt()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4, LockTimeout = TimeSpan.FromMilliseconds(300) };
        var first = RwStore<long>.Create("handed", options);
        ShmId element = first.Insert(5);
        using var other = RwStore<long>.Open("handed", options);
        other.Insert(6);
        int otherLane = other.Table.Lanes.Current.Index;
        uint otherGeneration = other.Table.Lanes.Current.Generation;

        // A live thread of the other handle seems to stay between announcing a read lock and taking it, and the word
        // counts a reader no record explains: the recoverer freezes the word, waits for that thread, and gives up.
        HoldRecord* announcing = other.Table.Hold(otherLane, 1);
        announcing->Element = element.Value;
        SharedMemory.WriteRelease(&announcing->State, HoldRecord.Word(otherGeneration, HoldState.ReadAcquiring, 77));
        ulong* word = first.Table.Word(element.Slot);
        *word = ElementWord.Live(element.Generation, writer: false, pending: false, readers: 2);
        Assert.Throws<TimeoutException>(() => first.TryWrite(element, out _));
        Assert.True(ElementWord.IsRecovering(*word));
        SharedMemory.WriteRelease(&announcing->State, 0);

        // The lane of the recoverer that gave up is claimed again, by a new handle: that holder is not the recoverer.
        first.Dispose();
        using var again = RwStore<long>.Open("handed", options);
        Assert.True(again.TryWrite(element, out WriteLock<long> write));
        using (write)
        {
            write.Value = 7;
        }
        Assert.False(ElementWord.IsRecovering(*again.Table.Word(element.Slot)));
    }

    [Fact]
    public void AnElementFrozenByADeadRecovererIsUnfrozenByTheNextHolderOfItsLane()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        ShmId frozen, touched;
        int lane;
        using (var creator = RwStore<long>.Create("frozen", options))
        {
            frozen = creator.Insert(1);
            touched = creator.Insert(2);
            lane = creator.Table.Lanes.Current.Index; // the lane this process claims first
        }
        using var store = RwStore<long>.Open("frozen", options);
        LaneRecord* dead = store.Table.Lanes.Record(lane);
        ulong* word = store.Table.Word(frozen.Slot);
        *word = ElementWord.Recovering(frozen.Generation, lane, dead->Generation);
        dead->KindHeld = frozen.Slot + 1;

        Assert.True(store.TryRead(touched, TimeSpan.Zero, out ReadLock<long> read)); // claims the lane
        read.Dispose();
        Assert.False(ElementWord.IsRecovering(*word));
        Assert.Equal(0, dead->KindHeld);
        Assert.True(store.TryWrite(frozen, TimeSpan.Zero, out WriteLock<long> write));
        write.Dispose();
    }

    [Fact]
    public void AFreeListLockLeftByAnEarlierHolderOfTheLaneIsReleasedWhenTheLaneIsClaimed()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        ShmId element;
        int lane;
        using (var creator = RwStore<long>.Create("list", options))
        {
            element = creator.Insert(1);
            lane = creator.Table.Lanes.Current.Index;
        }
        using var store = RwStore<long>.Open("list", options);
        ulong* listLock = &store.Table.Control->FreeListLock;
        *listLock = LockWord.Locked(*listLock, LaneOwner.Tag(lane, store.Table.Lanes.Record(lane)->Generation));

        Assert.True(store.TryRead(element, TimeSpan.Zero, out ReadLock<long> read)); // claims the lane; touches no list
        read.Dispose();
        Assert.False(LockWord.IsLocked(*listLock));
    }

    [Fact]
    public void ReleasingALockWaitsForALiveRecovererOnlyUntilTheLockTimeout()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4, LockTimeout = TimeSpan.FromMilliseconds(300) };
        using var store = RwStore<long>.Create("slow", options);
        ShmId element = store.Insert(1);
        using var other = RwStore<long>.Open("slow", options);
        other.Insert(2);
        Lane recoverer = other.Table.Lanes.Current;

        Assert.True(store.TryRead(element, out ReadLock<long> read));
        ulong* word = store.Table.Word(element.Slot);
        ulong counted = *word;
        *word = ElementWord.Recovering(element.Generation, recoverer.Index, recoverer.Generation); // a live recoverer that is stopped
        Task release = Task.Run(() => Assert.Throws<TimeoutException>(read.Dispose));
        Assert.True(release.Wait(TimeSpan.FromSeconds(20)), "releasing the lock waited for the recoverer forever");
        release.GetAwaiter().GetResult();

        *word = counted; // the recoverer finishes: the lock is still held, and releasing it again works
        read.Dispose();
        Assert.True(store.TryWrite(element, TimeSpan.Zero, out WriteLock<long> write));
        write.Dispose();
    }
}
