using ShmMaps.Core.Locking;
using ShmMaps.Core.Registry;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Striped;

/// <summary>A lane whose holder died while applying a committed KeyLock scope, staged exactly, then claimed anew.</summary>
public sealed unsafe class ScopeRecoveryTests : IDisposable
{
    private const uint DeadGeneration = 9;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ANewHolderOfTheLaneFinishesTheDeadHoldersCommittedScope()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        using (var creator = StripedMap<long, long>.Create("claimed", 100, options))
        {
            creator[1] = 10;
        }
        using var map = StripedMap<long, long>.Open("claimed", options);
        int nextLane = Environment.ProcessId % 4; // the lane this handle's first write claims
        var memory = map.Region.Memory;
        byte* stripe = map.StripeOf(1L, out _);
        byte* cell = map.FindIn(stripe, 1L);
        int stride = StripedMap<long, long>.CellStride;
        byte[] redo = new ReadOnlySpan<byte>(cell, stride).ToArray();
        BitConverter.TryWriteBytes(redo.AsSpan(16), 99L); // value after the 8-byte state and the key

        LaneRecord* dead = map.Region.Lanes.Record(nextLane);
        dead->Generation = DeadGeneration;
        ScopeLog.Write((byte*)dead + LaneRecord.Size + stride, memory.OffsetOf(stripe), memory.OffsetOf(cell), redo);
        dead->ScopeLogStart = (uint)stride;
        dead->ScopeRecords = 1;
        dead->ScopeCountTarget = dead->EntryCount;
        dead->ScopeState = (uint)ScopeState.Committing;
        *(ulong*)stripe = LockWord.Locked(*(ulong*)stripe, LaneOwner.Tag(nextLane, DeadGeneration));

        map[2] = 20; // claims lane nextLane, which first finishes the dead holder's scope
        Assert.Equal((uint)ScopeState.None, dead->ScopeState);
        Assert.False(LockWord.IsLocked(*(ulong*)stripe));
        Assert.Equal(99, map[1]);
        Assert.Equal(2, map.Count);
        Assert.True(MapInspector.Check("claimed", options).IsSound);
    }
}
