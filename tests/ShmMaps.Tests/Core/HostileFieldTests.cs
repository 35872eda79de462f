using System.Runtime.CompilerServices;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Region;
using ShmMaps.Core.Registry;
using ShmMaps.Inspection;
using ShmMaps.LeftRight;
using ShmMaps.Rw;
using ShmMaps.Seq;
using ShmMaps.Striped;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>
/// One field a hostile (or damaged) file gets wrong, each: the value is checked before it is used as an offset, a
/// length, a count or a loop bound, and the result is a <see cref="CorruptMapException"/> naming it or a plain
/// "absent", never a fault, a hang or a write outside what the field describes.
/// </summary>
public sealed unsafe class HostileFieldTests : IDisposable
{
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(20);
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnUndoLengthPastTheLaneIsRefusedBeforeAnythingIsCopied()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        using var map = SeqMap<long, long>.Create("undo", 64, options);
        map.Insert(1, 10);
        byte* cell = map.CellOf(1);
        LaneTable lanes = map.Region.Lanes;
        int mine = Environment.ProcessId % 4, dead = (mine + 1) % 4;
        LaneRecord* record = lanes.Record(dead);
        record->Generation = 9;
        record->IntentLockOffset = map.Region.Memory.OffsetOf(cell);
        record->IntentDataOffset = map.Region.Memory.OffsetOf(cell + SeqCellLayout.StateOffset);
        record->UndoLength = (uint)lanes.UndoCapacity + 64;
        record->IntentState = (uint)IntentState.Active;
        *(ulong*)cell = LockWord.Locked(*(ulong*)cell, LaneOwner.Tag(dead, 9));
        // What follows the undo area of the lane this thread writes through: a recovery copying the dead image into it
        // must not spill there.
        byte* after = (byte*)lanes.Record(mine) + LaneRecord.Size + lanes.UndoCapacity;
        byte[] before = new ReadOnlySpan<byte>(after, 64).ToArray();

        var error = Assert.Throws<CorruptMapException>(() => map.TryGetValue(1, out _));
        Assert.Contains($"undo image of {lanes.UndoCapacity + 64} bytes", error.Message);
        Assert.Equal(before, new ReadOnlySpan<byte>(after, 64).ToArray());
    }

    [Fact]
    public void ALaneTooSmallForTheKindsUndoImageIsRefusedAtOpen()
    {
        var options = new ShmOptions { Directory = _dir.Path, WriterLanes = 4 };
        StripedMap<long, long>.Create("lanes", 64, options).Dispose();
        var patch = new MapFilePatch(_dir.FileOf("lanes"));
        uint laneSize = patch.ReadUInt32(60);
        patch.UInt32(28, 4 * laneSize / LaneRecord.Size).UInt32(60, LaneRecord.Size).Save(); // as many bytes, lanes with no undo room
        var error = Assert.Throws<CorruptMapException>(() => StripedMap<long, long>.Open("lanes", options));
        Assert.Contains("'lane size'", error.Message);
    }

    [Fact]
    public void AProbeLimitPastTheTableEndsAtTheTable()
    {
        long cells;
        using (var map = SeqMap<long, long>.Create("probe", 64, _dir.Options))
        {
            map.Insert(1, 10);
            cells = map.CellCount;
        }
        var patch = new MapFilePatch(_dir.FileOf("probe"));
        int stride = SeqCellLayout.For<long, long>(true).Stride;
        long first = patch.RegionOffset(SeqMapLayout.TableRegion) + SeqMapLayout.TableHead(cells);
        for (long cell = first; cell < first + (cells * stride); cell += stride)
        {
            patch.UInt32(cell + SeqCellLayout.ProbeLimitOffset, uint.MaxValue);
        }
        patch.Save();
        using var damaged = SeqMap<long, long>.Open("probe", _dir.Options);
        Finishes(() =>
        {
            Assert.False(damaged.TryGetValue(2, out _));
            Assert.False(damaged.TryRemove(3, out _));
            Assert.True(damaged.TryRemove(1, out long value));
            Assert.Equal(10, value);
            damaged.Insert(4, 40);
            Assert.Equal(40, damaged[4]);
        });
    }

    [Fact]
    public void ANegativeVectorCounterIsNeverABound()
    {
        using (var vector = SeqVec<long>.Create("vec", 16, _dir.Options, maxCapacity: 1024))
        {
            vector.Push(1);
        }
        new MapFilePatch(_dir.FileOf("vec")).Int64(MapHeader.CountersOffset, -5).Save();
        using var damaged = SeqVec<long>.Open("vec", _dir.Options);
        Assert.Equal(0, damaged.Count);
        Assert.False(damaged.TryGet(0, out _));
        Assert.False(damaged.TryGet(long.MaxValue, out _));
        Assert.Contains("-5", Assert.Throws<CorruptMapException>(() => damaged.Push(2)).Message);
    }

    [Theory]
    [InlineData(8, ulong.MaxValue)] // the free head names a slot far past those handed out
    [InlineData(16, ulong.MaxValue)] // the next fresh slot is -1
    public void AStoreWhoseFreeListOrFreshCounterIsOutOfRangeIsCorrupt(int field, ulong value)
    {
        ShmId id;
        using (var store = RwStore<long>.Create("store", _dir.Options))
        {
            id = store.Insert(1);
        }
        var patch = new MapFilePatch(_dir.FileOf("store"));
        patch.Int64(patch.RegionOffset(RwStoreLayout.ControlRegion) + field, (long)value).Save();
        using var damaged = RwStore<long>.Open("store", _dir.Options);
        Assert.Throws<CorruptMapException>(() => damaged.Insert(2));
        if (field == 16)
        {
            Assert.False(damaged.TryRead(id, TimeSpan.Zero, out _)); // no slot was ever handed out, says the file
        }
    }

    [Fact]
    public void ALeftRightCopyWithNoEmptyCellEndsEveryProbe()
    {
        // A map that cannot grow: each copy has its one table.
        var options = new ShmOptions { Directory = _dir.Path, MaxCapacity = 8 };
        using (var writer = LeftRightMap.CreateWriter<long, long>("full", 8, options))
        {
            using WriteGuard<long, long> guard = writer.Guard();
            guard.Insert(1, 10);
        }
        var patch = new MapFilePatch(_dir.FileOf("full"));
        int stride = LeftRightLayout.CellStride(8, 8);
        for (int copy = 0; copy < 2; copy++)
        {
            long tableBytes = patch.RegionLength(LeftRightLayout.TableRegion) / 2; // the one block: copy 0's table, then copy 1's
            long start = patch.RegionOffset(LeftRightLayout.TableRegion) + (copy * tableBytes);
            for (long cell = start; cell < start + tableBytes; cell += stride)
            {
                if (patch.Read(cell, 1)[0] == 0)
                {
                    patch.Int64(cell, 0x7777_7777_7777_7777); // a tag no key of the map has
                }
            }
        }
        patch.Save();
        using var reader = LeftRightMap.OpenReader<long, long>("full", _dir.Options);
        Finishes(() =>
        {
            using ReadGuard<long, long> guard = reader.Guard();
            Assert.False(guard.TryGetValue(2, out _));
            Assert.True(guard.TryGetValue(1, out long value));
            Assert.Equal(10, value);
        });
        using var damaged = LeftRightMap.OpenWriter<long, long>("full", _dir.Options);
        Finishes(() => Assert.Throws<CorruptMapException>(() =>
        {
            using WriteGuard<long, long> guard = damaged.Guard();
            guard.Insert(2, 20);
        }));
    }

    [Fact]
    public void ShmSaysWhatIsWrongWithTimesOutOfRangeAndListsEveryMap()
    {
        var oneLane = new ShmOptions { Directory = _dir.Path, WriterLanes = 1 };
        using (var map = SeqMap<long, long>.Create("a-times", 8, oneLane))
        {
            map.Insert(1, 1); // claims lane 0
        }
        SeqMap<long, long>.Create("b-last", 8, _dir.Options).Dispose();
        var patch = new MapFilePatch(_dir.FileOf("a-times"));
        patch.Int64(336, long.MaxValue); // created (Unix ms)
        patch.Int64(patch.RegionOffset(0) + 16, long.MinValue).Save(); // lane 0 claimed (Unix ms)

        var output = new StringWriter();
        Assert.Equal(0, ShmMaps.Tool.Program.Run(["info", "a-times", "--dir", _dir.Path], output, output));
        Assert.Contains("created:    (no valid time)", output.ToString());
        Assert.Contains(" ? ", output.ToString());
        Assert.DoesNotContain("   at ", output.ToString());
        output = new StringWriter();
        Assert.Equal(0, ShmMaps.Tool.Program.Run(["list", "--dir", _dir.Path], output, output));
        Assert.Contains("b-last", output.ToString());
        Assert.Equal(2, MapInspector.List(_dir.Options).Count(listing => listing.Description is not null));
    }

    private static void Finishes(Action action)
    {
        Task task = Task.Run(action);
        Assert.True(task.Wait(s_hang), "did not finish: a probe went round forever");
        task.GetAwaiter().GetResult();
    }
}
