using ShmMaps.Core.Epochs;
using ShmMaps.Core.Region;

namespace ShmMaps.LeftRight;

/// <summary>A left-right map's file checked and laid out: the control block, the reader slots, the two copies' bytes.</summary>
internal sealed unsafe class LeftRightTable
{
    private LeftRightTable(MapRegion region, LeftRightControl* control, ReaderSlotTable readers, byte* copy0, byte* copy1, long cells, int stride)
    {
        Region = region;
        Control = control;
        Readers = readers;
        Copies = [(nint)copy0, (nint)copy1];
        CellCount = cells;
        Stride = stride;
    }

    public MapRegion Region { get; }

    public LeftRightControl* Control { get; }

    /// <summary>This handle's view of the reader slots (claims slots for its threads; dispose with the handle).</summary>
    public ReaderSlotTable Readers { get; }

    /// <summary>The start of each copy's cells.</summary>
    public nint[] Copies { get; }

    public long CellCount { get; }

    public int Stride { get; }

    /// <summary>The copy readers pin now.</summary>
    public int PublishedCopy => (int)(Volatile.Read(ref Control->Published) & 1); // acquire: pairs with the writer's increment

    /// <summary>Checks the kind parameters against the regions; <see cref="CorruptMapException"/> naming what is wrong.</summary>
    public static LeftRightTable Open(MapRegion region)
    {
        long cells = region.KindParameter(LeftRightLayout.CellCountParameter);
        long stride = region.KindParameter(LeftRightLayout.CellStrideParameter);
        long slots = region.KindParameter(LeftRightLayout.ReaderSlotsParameter);
        if (cells < 4 || cells > LeftRightLayout.MaxCells || (cells & (cells - 1)) != 0
            || stride != LeftRightLayout.CellStride((int)region.Header->KeySize, (int)region.Header->ValueSize)
            || slots is < 1 or > LeftRightLayout.MaxReaderSlots)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {cells} cells, stride {stride} or {slots} reader slots is invalid");
        }
        byte* control = region.RegionPointer(LeftRightLayout.ControlRegion, out long controlBytes);
        byte* slotBytes = region.RegionPointer(LeftRightLayout.ReaderSlotRegion, out long slotLength);
        byte* copy0 = region.RegionPointer(LeftRightLayout.FirstCopyRegion, out long length0);
        byte* copy1 = region.RegionPointer(LeftRightLayout.FirstCopyRegion + 1, out long length1);
        long copyBytes = cells * stride;
        if (controlBytes < LeftRightControl.Size || slotLength < slots * ReaderSlot.Size || length0 < copyBytes || length1 < copyBytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': a region is shorter than {cells} cells of {stride} bytes and {slots} reader slots need");
        }
        return new LeftRightTable(region, (LeftRightControl*)control, new ReaderSlotTable(region, slotBytes, (int)slots), copy0, copy1, cells, (int)stride);
    }

    /// <summary>Whether a writer handle is open in a live process (this handle's own lock counts as not "other").</summary>
    public bool IsWriterAlive() => Region.Platform.IsByteLockedByOther(Region.File, LeftRightLayout.WriterLockOffset);
}
