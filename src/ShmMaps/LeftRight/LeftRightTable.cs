using ShmMaps.Core.Epochs;

namespace ShmMaps.LeftRight;

/// <summary>A left-right map's file checked and laid out: the control block, the reader slots, the two copies' tables.</summary>
internal sealed unsafe class LeftRightTable
{
    /// <summary>Copy c's table g at [c * Tables + g], once this handle has mapped it (0 until then).</summary>
    private readonly nint[] _tables;

    private LeftRightTable(MapRegion region, LeftRightControl* control, ReaderSlotTable readers, long firstCells, int stride, int tables, double growLoad)
    {
        Region = region;
        Control = control;
        Readers = readers;
        FirstCells = firstCells;
        Stride = stride;
        Tables = tables;
        GrowLoad = growLoad;
        _tables = new nint[2 * tables];
    }

    public MapRegion Region { get; }

    public LeftRightControl* Control { get; }

    /// <summary>This handle's view of the reader slots (claims slots for its threads; dispose with the handle).</summary>
    public ReaderSlotTable Readers { get; }

    /// <summary>The cells of each copy's first table.</summary>
    public long FirstCells { get; }

    public int Stride { get; }

    /// <summary>How many tables each copy has room for (1: the map never grows).</summary>
    public int Tables { get; }

    /// <summary>The load past which the writer grows the copy it writes.</summary>
    public double GrowLoad { get; }

    /// <summary>The copy readers pin now.</summary>
    public int PublishedCopy => (int)(Volatile.Read(ref Control->Published) & 1); // acquire: pairs with the writer's increment

    /// <summary>
    /// The table generation copy <paramref name="copy"/> is on (acquire: a reader pinned to the copy reads it after
    /// its pin; the writer changes it only while no reader is on the copy); <see cref="CorruptMapException"/> if the file has no such table.
    /// </summary>
    public int GenerationOf(int copy)
    {
        long generation = SharedMemory.ReadAcquire(&Control->Generations[copy]);
        if ((ulong)generation >= (ulong)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{Region.Name}': copy {copy} is on table {generation}, but the file has room for {Tables}");
        }
        return (int)generation;
    }

    /// <summary>The first cell of copy <paramref name="copy"/>'s table <paramref name="generation"/> (a table the file holds: else <see cref="CorruptMapException"/>).</summary>
    public byte* CellsOf(int copy, int generation)
    {
        nint cells = _tables[(copy * Tables) + generation];
        return cells != 0 ? (byte*)cells : MapTable(copy, generation);
    }

    /// <summary>The cells of table <paramref name="generation"/>.</summary>
    public long CellCountOf(int generation) => FirstCells << generation;

    /// <summary>Names the table copy <paramref name="copy"/> is on (release: its cells are written first). The writer's alone, while no reader is on the copy.</summary>
    public void SetGeneration(int copy, int generation) => SharedMemory.WriteRelease(&Control->Generations[copy], generation);

    /// <summary>
    /// Allocates copy <paramref name="copy"/>'s table <paramref name="generation"/> (idempotent) with the other copy's of
    /// that generation (a block, so that the file grows at its end); <see cref="MapFullException"/> if the file system is full.
    /// </summary>
    public void Reserve(int copy, int generation) =>
        Region.Reserve(LeftRightLayout.TableRegion, LeftRightLayout.BlockOffset(FirstCells, Stride, generation), 2 * LeftRightLayout.TableBytes(FirstCells, Stride, generation),
            $"table {generation} of copy {copy} ({CellCountOf(generation):N0} cells)");

    /// <summary>Gives back every table of copy <paramref name="copy"/> but <paramref name="kept"/> (no reader may be on the copy).</summary>
    public void ReleaseAllBut(int copy, int kept)
    {
        for (int g = 0; g < Tables; g++)
        {
            if (g != kept)
            {
                Region.Release(LeftRightLayout.TableRegion, LeftRightLayout.TableOffset(FirstCells, Stride, copy, g), LeftRightLayout.TableBytes(FirstCells, Stride, g));
            }
        }
    }

    private byte* MapTable(int copy, int generation)
    {
        if ((uint)copy > 1 || (uint)generation >= (uint)Tables)
        {
            ThrowHelper.ThrowCorrupt($"map '{Region.Name}': copy {copy}, table {generation} is not one of the file's {Tables} tables per copy");
        }
        byte* cells = Region.RegionPointer(LeftRightLayout.TableRegion, LeftRightLayout.TableOffset(FirstCells, Stride, copy, generation),
            LeftRightLayout.TableBytes(FirstCells, Stride, generation));
        Volatile.Write(ref _tables[(copy * Tables) + generation], (nint)cells); // a pointer store: a racing mapper stores one to the same cells
        return cells;
    }

    /// <summary>Checks the kind parameters against the regions; <see cref="CorruptMapException"/> naming what is wrong.</summary>
    public static LeftRightTable Open(MapRegion region)
    {
        LeftRightParameters parameters = LeftRightLayout.Parameters(region);
        (long cells, long stride, long slots, long tables, long growLoad) =
            (parameters.Cells, parameters.CellStride, parameters.ReaderSlots, parameters.Tables, parameters.GrowLoadMillionths);
        OlderFormat.Refuse(region, "LeftRightMap");
        if (region.Header->RegionCount != LeftRightLayout.TableRegion + 1)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {region.Header->RegionCount} regions, not the {LeftRightLayout.TableRegion + 1} of a LeftRightMap");
        }
        byte* control = region.RegionPointer(LeftRightLayout.ControlRegion, out long controlBytes);
        byte* slotBytes = region.RegionPointer(LeftRightLayout.ReaderSlotRegion, out long slotLength);
        if (controlBytes < LeftRightControl.Size || slotLength < slots * ReaderSlot.Size
            || region.RegionLength(LeftRightLayout.TableRegion) < LeftRightLayout.BlockOffset(cells, (int)stride, (int)tables))
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': a region is shorter than {tables} tables from {cells} cells of {stride} bytes and {slots} reader slots need");
        }
        var table = new LeftRightTable(region, (LeftRightControl*)control, new ReaderSlotTable(region, slotBytes, (int)slots), cells, (int)stride,
            (int)tables, growLoad / 1_000_000.0);
        for (int copy = 0; copy < 2; copy++)
        {
            int generation = table.GenerationOf(copy);
            region.EnsureReserved(LeftRightLayout.TableRegion, LeftRightLayout.TableOffset(cells, (int)stride, copy, generation),
                LeftRightLayout.TableBytes(cells, (int)stride, generation), $"table {generation} of copy {copy}");
        }
        return table;
    }

    /// <summary>Whether a writer handle is open in a live process (this handle's own lock counts as not "other").</summary>
    public bool IsWriterAlive() => Region.Platform.IsByteLockedByOther(Region.File, LeftRightLayout.WriterLockOffset);
}
