using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Region;
using ShmMaps.Core.Registry;
using ShmMaps.Seq;

namespace ShmMaps.Tests.Core;

/// <summary>The shared layouts are a file format: their sizes and offsets are pinned.</summary>
public class LayoutTests
{
    [Fact]
    public void HeaderLayoutIsPinned()
    {
        Assert.Equal(4096, Unsafe.SizeOf<MapHeader>());
        Assert.Equal(0, Offset<MapHeader>(nameof(MapHeader.Magic)));
        Assert.Equal(12, Offset<MapHeader>(nameof(MapHeader.Kind)));
        Assert.Equal(16, Offset<MapHeader>(nameof(MapHeader.KeySize)));
        Assert.Equal(32, Offset<MapHeader>(nameof(MapHeader.HashSeed)));
        Assert.Equal(40, Offset<MapHeader>(nameof(MapHeader.Capacity)));
        Assert.Equal(64, Offset<MapHeader>(nameof(MapHeader.KeyTypeName)));
        Assert.Equal(192, Offset<MapHeader>(nameof(MapHeader.ValueTypeName)));
        Assert.Equal(344, Offset<MapHeader>(nameof(MapHeader.BootId)));
        Assert.Equal(360, Offset<MapHeader>(nameof(MapHeader.KindParameters)));
        Assert.Equal(448, Offset<MapHeader>(nameof(MapHeader.Regions)));
        Assert.Equal(576, Offset<MapHeader>(nameof(MapHeader.Checksum)));
        Assert.Equal(640, Offset<MapHeader>(nameof(MapHeader.Ready)));
        Assert.Equal(768, Offset<MapHeader>(nameof(MapHeader.CounterLines)));
    }

    [Fact]
    public void LaneRecordLayoutIsPinned()
    {
        Assert.Equal(128, Unsafe.SizeOf<LaneRecord>());
        Assert.Equal(24, Offset<LaneRecord>(nameof(LaneRecord.EntryCount)));
        Assert.Equal(32, Offset<LaneRecord>(nameof(LaneRecord.IntentState)));
        Assert.Equal(40, Offset<LaneRecord>(nameof(LaneRecord.IntentLockOffset)));
        Assert.Equal(48, Offset<LaneRecord>(nameof(LaneRecord.IntentDataOffset)));
        Assert.Equal(56, Offset<LaneRecord>(nameof(LaneRecord.CountTarget)));
        Assert.Equal(64, Offset<LaneRecord>(nameof(LaneRecord.HeldLockOffset)));
    }

    [Fact]
    public void SeqCellLayoutIsPinned()
    {
        var longLong = new SeqCellLayout(8, 8);
        Assert.Equal(32, longLong.Stride);
        Assert.Equal(24, longLong.ValueOffset);
        Assert.Equal(20, longLong.ProtectedLength);
        var arrayOfInt = new SeqCellLayout(0, 4);
        Assert.Equal(24, arrayOfInt.Stride);
        Assert.Equal(0, new SeqCellLayout(32, 8).Stride % 8);
    }

    [Fact]
    public void SeqMapTablesAreSparseWhileSmallAndDenserWhenLarge()
    {
        Assert.Equal(8192, SeqMapLayout.CellsFor(1000, null, 32));            // 256 KiB at load 0.12
        Assert.Equal(1L << 21, SeqMapLayout.CellsFor(1_000_000, null, 32));   // 64 MiB at load 0.48
        Assert.Equal(2048, SeqMapLayout.CellsFor(1000, 0.9, 32));
        Assert.Equal(4, SeqMapLayout.CellsFor(0, null, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeqMapLayout.CellsFor(10, 0, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeqMapLayout.CellsFor(10, 1.5, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeqMapLayout.CellsFor(SeqMapLayout.MaxCells, 0.5, 32));
    }

    [Fact]
    public void LockWordPacksOwnerAndVersion()
    {
        ulong tag = LockWord.OwnerTag(lane: 1234, generation: 0x1_0007);
        ulong locked = LockWord.Locked(5UL << 32, tag);
        Assert.True(LockWord.IsLocked(locked));
        Assert.Equal(5u, LockWord.Version(locked));
        Assert.Equal(1234, LockWord.OwnerLane(locked));
        Assert.Equal((ushort)7, LockWord.OwnerGeneration(locked));
        ulong released = LockWord.Released(locked);
        Assert.False(LockWord.IsLocked(released));
        Assert.Equal(6u, LockWord.Version(released));
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
