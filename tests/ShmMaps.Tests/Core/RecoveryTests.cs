using System.Diagnostics;
using System.Runtime.CompilerServices;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Registry;
using ShmMaps.Seq;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>
/// A writer that died at each step of the write protocol, staged exactly: a lane nobody holds, its
/// intent, and the cell it locked. Every reader or writer must finish its work within a second.
/// </summary>
public sealed unsafe class RecoveryTests : IDisposable
{
    /// <summary>
    /// A lane this process will not claim: a handle claims lanes upwards from pid % lanes, so the lane half
    /// the table away stays free for staging a dead writer.
    /// </summary>
    private static readonly int DeadLane = (Environment.ProcessId + (DefaultLanes / 2)) % DefaultLanes;

    private static int DefaultLanes => new ShmOptions().WriterLanes;
    private const uint DeadGeneration = 9;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AReaderRestoresTheUndoImageOfAWriterThatDiedMidWrite()
    {
        using var map = SeqMap<long, Whole4>.Create("mid", 64, Options());
        map.Insert(5, Whole4.Of(1));
        byte* cell = map.CellOf(5);
        StageDeadWriter(map, cell, IntentState.Active, countDelta: 0);
        *(long*)(cell + 24) = 777; // half of the new value written
        var watch = Stopwatch.StartNew();
        Assert.Equal(Whole4.Of(1), map[5]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"recovery took {watch.Elapsed}");
        Assert.False(LockWord.IsLocked(*(ulong*)cell));
        Assert.Equal(1, map.Count);
        map.Insert(5, Whole4.Of(2));
        Assert.Equal(Whole4.Of(2), map[5]);
        Assert.True(MapInspectorCheck("mid"));
    }

    [Fact]
    public void AWriterThatDiedWhileLockingLeavesTheOldValue()
    {
        using var map = SeqMap<long, Whole4>.Create("locking", 64, Options());
        map.Insert(5, Whole4.Of(1));
        byte* cell = map.CellOf(5);
        StageDeadWriter(map, cell, IntentState.Locking, countDelta: 0);
        map.Insert(5, Whole4.Of(3));
        Assert.Equal(Whole4.Of(3), map[5]);
    }

    [Fact]
    public void AWriterThatDiedAfterItsWriteKeepsTheNewValue()
    {
        using var map = SeqMap<long, Whole4>.Create("done", 64, Options());
        map.Insert(5, Whole4.Of(1));
        byte* cell = map.CellOf(5);
        StageDeadWriter(map, cell, IntentState.Done, countDelta: 0);
        Unsafe.WriteUnaligned(cell + 16 + 8, Whole4.Of(4));
        Assert.Equal(Whole4.Of(4), map[5]);
    }

    [Fact]
    public void AnInsertThatDiedMidWriteIsRolledBackWithItsCount()
    {
        using var map = SeqMap<long, Whole4>.Create("insert", 64, Options());
        map.Insert(1, Whole4.Of(1));
        // Stage: the dead writer was adding key 9 into an empty cell and had already counted it.
        long home = map.HomeOf(9);
        byte* cell = CellAt(map, home);
        if (*(uint*)(cell + SeqCellLayout.StateOffset) != SeqCellLayout.Empty)
        {
            return; // key 1 took key 9's home cell (1 in 64): nothing to stage
        }
        StageDeadWriter(map, cell, IntentState.Active, countDelta: +1);
        *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Occupied;
        *(long*)(cell + SeqCellLayout.KeyOffset) = 9;
        Assert.Equal(2, map.Count); // the dead writer's count is visible until recovery
        Assert.False(map.ContainsKey(9));
        Assert.Equal(1, map.Count);
        Assert.True(MapInspectorCheck("insert"));
    }

    [Fact]
    public void ANewHolderOfTheDeadLaneRecoversItsIntentWhenClaimingIt()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        using var creator = SeqMap<long, Whole4>.Create("claim", 64, options);
        creator.Insert(5, Whole4.Of(1));
        creator.Dispose();
        using var map = SeqMap<long, Whole4>.Open("claim", options);
        int nextLane = Environment.ProcessId % 4;
        byte* cell = map.CellOf(5);
        StageDeadWriter(map, cell, IntentState.Active, countDelta: 0, lane: nextLane);
        *(long*)(cell + 24) = 12345;
        map.Insert(6, Whole4.Of(6)); // claims lane nextLane, which finishes the dead intent first
        Assert.False(LockWord.IsLocked(*(ulong*)cell));
        Assert.Equal(Whole4.Of(1), map[5]);
        Assert.True(MapInspectorCheck("claim"));
    }

    [Fact]
    public void AnInsertStripeOfADeadProcessIsReleased()
    {
        using var map = SeqMap<long, long>.Create("stripe", 64, Options());
        long home = map.HomeOf(42);
        ulong* stripe = map.StripeOf(home);
        LaneRecord* dead = map.Region.Lanes.Record(DeadLane);
        dead->Generation = DeadGeneration;
        dead->HeldLockOffset = map.Region.Memory.OffsetOf(stripe);
        *stripe = LockWord.Locked(*stripe, LaneOwner.Tag(DeadLane, DeadGeneration));
        var watch = Stopwatch.StartNew();
        map.Insert(42, 1);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
        Assert.False(LockWord.IsLocked(*stripe));
        Assert.Equal(1, map[42]);
    }

    [Fact]
    public void ALiveOwnerIsWaitedForThenTimesOutWithoutStealing()
    {
        using var holder = ChildProcess.Start("hold-lane", _dir.Path, "live");
        holder.WaitFor("ready");
        using var map = SeqMap<long, long>.Open("live", _dir.With(TimeSpan.FromMilliseconds(300)));
        var lane = Assert.Single(ShmMaps.Inspection.MapInspector.Describe("live", _dir.Options).Lanes, l => l.Alive);
        byte* cell = map.CellOf(1);
        ulong before = *(ulong*)cell;
        *(ulong*)cell = LockWord.Locked(before, LaneOwner.Tag(lane.Index, lane.Generation));
        var error = Assert.Throws<TimeoutException>(() => map.TryGetValue(1, out _));
        Assert.Contains($"live process {holder.Pid}", error.Message);
        Assert.True(LockWord.IsLocked(*(ulong*)cell));
        holder.Kill();
        Assert.Equal(1, map[1]); // the owner died: now it is recovered
    }

    private ShmOptions Options() => _dir.Options;

    private static byte* CellAt<TKey, TValue>(SeqMap<TKey, TValue> map, long index)
        where TKey : unmanaged, IEquatable<TKey> where TValue : unmanaged => map.CellAt(index);

    private bool MapInspectorCheck(string name)
    {
        var report = ShmMaps.Inspection.MapInspector.Check(name, _dir.Options);
        Assert.Empty(report.Problems);
        return report.IsSound;
    }

    /// <summary>Makes lane <paramref name="lane"/> look like a writer that died holding <paramref name="cell"/> in <paramref name="state"/>.</summary>
    private static void StageDeadWriter<TKey, TValue>(SeqMap<TKey, TValue> map, byte* cell, IntentState state, long countDelta, int? lane = null)
        where TKey : unmanaged, IEquatable<TKey> where TValue : unmanaged
    {
        int deadLane = lane ?? DeadLane;
        Assert.False(map.Region.Lanes.IsHeldHere(deadLane));
        var memory = map.Region.Memory;
        LaneRecord* dead = map.Region.Lanes.Record(deadLane);
        int length = SeqCellLayout.For<TKey, TValue>(true).ProtectedLength;
        dead->Generation = DeadGeneration;
        dead->IntentLockOffset = memory.OffsetOf(cell);
        dead->IntentDataOffset = memory.OffsetOf(cell + SeqCellLayout.StateOffset);
        dead->UndoLength = (uint)length;
        Unsafe.CopyBlock((byte*)dead + LaneRecord.Size, cell + SeqCellLayout.StateOffset, (uint)length);
        dead->CountTarget = dead->EntryCount;
        dead->EntryCount += countDelta;
        dead->IntentState = (uint)state;
        *(ulong*)cell = LockWord.Locked(*(ulong*)cell, LaneOwner.Tag(deadLane, DeadGeneration));
    }
}
