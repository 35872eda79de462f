using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ShmMaps.Core.Epochs;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Region;
using ShmMaps.Core.Registry;
using ShmMaps.Folklore;
using ShmMaps.LeftRight;
using ShmMaps.Rw;
using ShmMaps.Seq;
using ShmMaps.Striped;

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
    public void LeftRightLayoutIsPinned()
    {
        Assert.Equal(64, Unsafe.SizeOf<ReaderSlot>());
        Assert.Equal(0, Offset<ReaderSlot>(nameof(ReaderSlot.Pin)));
        Assert.Equal(8, Offset<ReaderSlot>(nameof(ReaderSlot.Fenced)));
        Assert.Equal(16, Offset<ReaderSlot>(nameof(ReaderSlot.PinnedSequence)));
        Assert.Equal(24, Offset<ReaderSlot>(nameof(ReaderSlot.Pid)));
        Assert.Equal(32, Offset<ReaderSlot>(nameof(ReaderSlot.StartTicks)));
        Assert.Equal(40, Offset<ReaderSlot>(nameof(ReaderSlot.ClaimedUnixMs)));
        Assert.Equal(256, Unsafe.SizeOf<LeftRightControl>());
        Assert.Equal(0, Offset<LeftRightControl>(nameof(LeftRightControl.Published)));
        Assert.Equal(64, Offset<LeftRightControl>(nameof(LeftRightControl.WriterPid)));
        Assert.Equal(128, Offset<LeftRightControl>(nameof(LeftRightControl.LastPublishUnixMs)));
        Assert.Equal(136, Offset<LeftRightControl>(nameof(LeftRightControl.Counts)));
        Assert.Equal(24, LeftRightLayout.CellStride(8, 8));
        Assert.Equal(16, LeftRightLayout.CellStride(4, 4));
        Assert.Equal((5UL << 2) | 3, ReaderPin.Make(5, ReaderPin.OnCopy(1)));
        Assert.True(ReaderPin.MayRead(ReaderPin.Make(1, ReaderPin.Entering), 0));
        Assert.False(ReaderPin.MayRead(ReaderPin.Make(1, ReaderPin.OnCopy(1)), 0));
        Assert.False(ReaderPin.MayRead(ReaderPin.Make(1, ReaderPin.Idle), 1));
    }

    [Fact]
    public void RwStoreLayoutIsPinned()
    {
        Assert.Equal(16, Unsafe.SizeOf<HoldRecord>());
        Assert.Equal(0, Offset<HoldRecord>(nameof(HoldRecord.State)));
        Assert.Equal(8, Offset<HoldRecord>(nameof(HoldRecord.Element)));
        Assert.Equal(64, Unsafe.SizeOf<RwControl>());
        Assert.Equal(0, Offset<RwControl>(nameof(RwControl.FreeListLock)));
        Assert.Equal(8, Offset<RwControl>(nameof(RwControl.FreeHead)));
        Assert.Equal(16, Offset<RwControl>(nameof(RwControl.NextFresh)));
        Assert.Equal(16 + 8, RwStoreLayout.HoldStride(4));
        Assert.Equal(16 + 32, RwStoreLayout.HoldStride(32));
        // Blocks of 1024, 2048, 4096 ... slots; slot i's block and the bytes before each block.
        Assert.Equal(0, RwStoreLayout.BlockOf(1023));
        Assert.Equal(1, RwStoreLayout.BlockOf(1024));
        Assert.Equal(1, RwStoreLayout.BlockOf(3071));
        Assert.Equal(2, RwStoreLayout.BlockOf(3072));
        Assert.Equal(3, RwStoreLayout.BlocksFor(1024 + 2048 + 1));
        Assert.Equal(16384, RwStoreLayout.BlockBytes(0, 8));
        Assert.Equal(16384 + 32768, RwStoreLayout.BlockOffset(2, 8));
        Assert.Equal(21, RwStoreLayout.BlocksFor(RwStoreLayout.MaxElements));
        // The element word: live, locked, frozen and free forms.
        Assert.Equal(0x0000_0003_8000_0002UL, ElementWord.Live(3, writer: false, pending: false, readers: 2));
        Assert.True(ElementWord.ReadableAt(ElementWord.Live(3) + 5, 3));
        Assert.False(ElementWord.ReadableAt(ElementWord.Live(3) | ElementWord.PendingBit, 3));
        Assert.True(ElementWord.WritableAt(ElementWord.Live(3) | ElementWord.PendingBit, 3));
        Assert.False(ElementWord.WritableAt(ElementWord.Live(3) + 1, 3));
        Assert.False(ElementWord.ReadableAt(ElementWord.Live(4), 3));
        ulong frozen = ElementWord.Recovering(3, lane: 300, laneGeneration: 0x1_2345);
        Assert.True(ElementWord.IsRecovering(frozen));
        Assert.Equal(300, ElementWord.RecovererLane(frozen));
        Assert.Equal(0x2345u, ElementWord.RecovererGeneration(frozen));
        Assert.False(ElementWord.ReadableAt(frozen, 3) || ElementWord.WritableAt(frozen, 3));
        ulong free = ElementWord.Free(9, 77);
        Assert.False(ElementWord.IsLive(free) || ElementWord.IsRetired(free));
        Assert.Equal(77UL, ElementWord.Link(free));
        Assert.Equal(1u, ElementWord.OccupantGeneration(0));
        Assert.True(ElementWord.IsRetired(ElementWord.Retired(uint.MaxValue)));
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
        Assert.Equal(72, Offset<LaneRecord>(nameof(LaneRecord.ThreadId)));
        Assert.Equal(76, Offset<LaneRecord>(nameof(LaneRecord.ScopeState)));
        Assert.Equal(80, Offset<LaneRecord>(nameof(LaneRecord.ScopeRecords)));
        Assert.Equal(84, Offset<LaneRecord>(nameof(LaneRecord.ScopeLogStart)));
        Assert.Equal(88, Offset<LaneRecord>(nameof(LaneRecord.ScopeCountTarget)));
        Assert.Equal(96, Offset<LaneRecord>(nameof(LaneRecord.RollForwardLane)));
    }

    [Fact]
    public void KeySlotLayoutIsPinned()
    {
        Assert.Equal(64, Unsafe.SizeOf<ShmMaps.Folklore.KeySlot>());
        Assert.Equal(0, Offset<ShmMaps.Folklore.KeySlot>(nameof(ShmMaps.Folklore.KeySlot.Hash)));
        Assert.Equal(8, Offset<ShmMaps.Folklore.KeySlot>(nameof(ShmMaps.Folklore.KeySlot.Length)));
        Assert.Equal(12, Offset<ShmMaps.Folklore.KeySlot>(nameof(ShmMaps.Folklore.KeySlot.State)));
        Assert.Equal(16, Offset<ShmMaps.Folklore.KeySlot>(nameof(ShmMaps.Folklore.KeySlot.Owner)));
        Assert.Equal(24, Offset<ShmMaps.Folklore.KeySlot>(nameof(ShmMaps.Folklore.KeySlot.Offset)));
        Assert.Equal(40, ShmMaps.Folklore.KeySlot.InlineBytes);
    }

    [Fact]
    public void FolkloreEntriesPackTagKeyFlagAndValue()
    {
        ulong narrowKeys = ShmMaps.Folklore.FolkloreEntry.KeyIndexMask(15);
        ulong entry = ShmMaps.Folklore.FolkloreEntry.Pack(keyIndex: 32_766, tag: 0, value: 0xBEEF, valueBits: 16);
        Assert.Equal(0x7FFF_BEEFUL, entry);
        Assert.Equal(32_766, ShmMaps.Folklore.FolkloreEntry.KeyIndex(entry, 16, narrowKeys));
        ulong removed = ShmMaps.Folklore.FolkloreEntry.Removed(entry, 16);
        Assert.Equal(0xFFFF_BEEFUL, removed);
        Assert.True(ShmMaps.Folklore.FolkloreEntry.IsRemoved(removed, 16));
        Assert.Equal(32_766, ShmMaps.Folklore.FolkloreEntry.KeyIndex(removed, 16, narrowKeys));
        ulong revived = ShmMaps.Folklore.FolkloreEntry.WithValue(removed, 7, 16);
        Assert.False(ShmMaps.Folklore.FolkloreEntry.IsRemoved(revived, 16));
        Assert.Equal(7UL, ShmMaps.Folklore.FolkloreEntry.Value(revived, 16));
        ulong wide = ShmMaps.Folklore.FolkloreEntry.Pack(keyIndex: int.MaxValue - 1, tag: 0, value: uint.MaxValue, valueBits: 32);
        Assert.Equal(0x7FFF_FFFF_FFFF_FFFFUL, wide);
        Assert.Equal(int.MaxValue - 1, ShmMaps.Folklore.FolkloreEntry.KeyIndex(wide, 32, ShmMaps.Folklore.FolkloreEntry.KeyIndexMask(31)));

        // 14 key bits leave 17 tag bits, the top bits of the hash, between the key index and the removed flag.
        Assert.Equal(14, ShmMaps.Folklore.FolkloreEntry.KeyBitsFor(11_250));
        Assert.Equal(0x7FFF_C000_0000_0000UL, ShmMaps.Folklore.FolkloreEntry.TagMask(32, 14, 0));
        ulong tagMask = ShmMaps.Folklore.FolkloreEntry.TagMask(32, 14, ShmMaps.Folklore.FolkloreEntry.CopiedBit(32)); // the key field's top bit says "copied"
        Assert.Equal(0x3FFF_C000_0000_0000UL, tagMask);
        Assert.Equal(0x4000_0000_0000_0000UL, ShmMaps.Folklore.FolkloreEntry.CopiedBit(32));
        ulong tag = ShmMaps.Folklore.FolkloreEntry.Tag(0xABCD_EF01_2345_6789UL, 32, tagMask);
        Assert.Equal(0xABCD_EF01_2345_6789UL & tagMask, tag);
        ulong tagged = ShmMaps.Folklore.FolkloreEntry.Pack(keyIndex: 11_249, tag, value: 3, valueBits: 32);
        Assert.Equal(11_249, ShmMaps.Folklore.FolkloreEntry.KeyIndex(tagged, 32, ShmMaps.Folklore.FolkloreEntry.KeyIndexMask(14)));
        Assert.Equal(tag, tagged & tagMask);
        Assert.Equal(tag, ShmMaps.Folklore.FolkloreEntry.Removed(tagged, 32) & tagMask);
        Assert.Equal(tag, ShmMaps.Folklore.FolkloreEntry.WithValue(tagged, 9, 32) & tagMask);
        Assert.Equal(0x7FF0_0000UL, ShmMaps.Folklore.FolkloreEntry.TagMask(16, 4, 0)); // 32-bit entries: tags from the hash's top bits
        Assert.Equal(0x3FF0_0000UL, ShmMaps.Folklore.FolkloreEntry.TagMask(16, 4, ShmMaps.Folklore.FolkloreEntry.CopiedBit(16)));
        Assert.Equal(0x7FF0_0000UL, ShmMaps.Folklore.FolkloreEntry.Tag(0xFFFF_0000_0000_0000UL, 16, 0x7FF0_0000UL));
    }

    [Fact]
    public void StripedLayoutIsPinned()
    {
        Assert.Equal(24, ShmMaps.Striped.StripedLayout.CellStrideOf(8, 8));
        Assert.Equal(16, ShmMaps.Striped.StripedLayout.CellStrideOf(4, 2));
        Assert.Equal(1600, ShmMaps.Striped.StripedLayout.StripeStrideOf(64, 24)); // 16 + 64 x 24, to 64
        (long stripes, long perStripe) = ShmMaps.Striped.StripedLayout.Size(1_000_000, 0, null, 24);
        Assert.Equal(1L << 21, stripes * perStripe);
        Assert.Equal(128, perStripe); // 64 would let one map in ~600 overflow a stripe before it held 1 M keys
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
        ulong tag = LaneOwner.Tag(lane: 1234, generation: 0x1_0007);
        ulong locked = LockWord.Locked(5UL << 32, tag);
        Assert.True(LockWord.IsLocked(locked));
        Assert.Equal(5u, LockWord.Version(locked));
        Assert.Equal(1234, LockWord.OwnerLane(locked));
        Assert.Equal((ushort)7, LockWord.OwnerGeneration(locked));
        ulong released = LockWord.Released(locked);
        Assert.False(LockWord.IsLocked(released));
        Assert.Equal(6u, LockWord.Version(released));
    }

    /// <summary>Each kind's parameters, word by word, as files of format 1.2 hold them.</summary>
    [Fact]
    public void KindParameterBlocksArePinned()
    {
        AssertWords<SeqMapParameters>(nameof(SeqMapParameters.Cells), nameof(SeqMapParameters.Stride), nameof(SeqMapParameters.Tables), nameof(SeqMapParameters.GrowLoadMillionths));
        AssertWords<SeqArrayParameters>(nameof(SeqArrayParameters.Length), nameof(SeqArrayParameters.Stride));
        AssertWords<SeqVecParameters>(nameof(SeqVecParameters.InitialCapacity), nameof(SeqVecParameters.MaxCapacity), nameof(SeqVecParameters.Stride));
        AssertWords<StripedParameters>(
            nameof(StripedParameters.Stripes), nameof(StripedParameters.CellsPerStripe), nameof(StripedParameters.CellStride), nameof(StripedParameters.StripeStride),
            nameof(StripedParameters.Tables), nameof(StripedParameters.GrowLoadMillionths));
        AssertWords<LeftRightParameters>(
            nameof(LeftRightParameters.Cells), nameof(LeftRightParameters.CellStride), nameof(LeftRightParameters.ReaderSlots), nameof(LeftRightParameters.Tables),
            nameof(LeftRightParameters.GrowLoadMillionths));
        AssertWords<RwStoreParameters>(
            nameof(RwStoreParameters.FirstBlockSlots), nameof(RwStoreParameters.Blocks), nameof(RwStoreParameters.MaxElements), nameof(RwStoreParameters.HoldsPerLane),
            nameof(RwStoreParameters.HoldStride));
        AssertWords<FolkloreParameters>(
            nameof(FolkloreParameters.Cells), nameof(FolkloreParameters.EntryBytes), nameof(FolkloreParameters.SlotCount), nameof(FolkloreParameters.Reserved),
            nameof(FolkloreParameters.MaxKeyBytes), nameof(FolkloreParameters.FirstSlots), nameof(FolkloreParameters.CellSlotTables), nameof(FolkloreParameters.Tables));
        AssertWords<FolkloreFixedParameters>(
            nameof(FolkloreFixedParameters.Cells), nameof(FolkloreFixedParameters.EntryBytes), nameof(FolkloreFixedParameters.SlotCount), nameof(FolkloreFixedParameters.Reserved),
            nameof(FolkloreFixedParameters.MaxKeyBytes), nameof(FolkloreFixedParameters.KeyBits), nameof(FolkloreFixedParameters.CellSlots), nameof(FolkloreFixedParameters.Tables));
    }

    /// <summary>Field i of <typeparamref name="T"/> is word i of the kind parameters, and there are no others.</summary>
    private static void AssertWords<T>(params string[] fields)
        where T : unmanaged
    {
        Assert.Equal(fields.Length * sizeof(long), Unsafe.SizeOf<T>());
        for (int i = 0; i < fields.Length; i++)
        {
            Assert.Equal(i * sizeof(long), Offset<T>(fields[i]));
        }
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
