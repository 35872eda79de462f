namespace ShmMaps.Rw;

/// <summary>An <see cref="RwStore{T}"/>'s file checked and laid out: the control block, the hold records, the blocks.</summary>
internal sealed unsafe partial class RwTable
{
    private readonly byte* _holds;

    /// <summary>Block k's first byte once this handle has mapped it (0 until then).</summary>
    private readonly nint[] _blocks;
    private readonly long[] _blockSlots;

    private RwTable(MapRegion region, RwControl* control, byte* holds, int blocks, int valueSize, long maxElements, int holdsPerLane, int holdStride)
    {
        Region = region;
        Control = control;
        _holds = holds;
        _blocks = new nint[blocks];
        _blockSlots = new long[blocks];
        for (int k = 0; k < blocks; k++)
        {
            _blockSlots[k] = (long)RwStoreLayout.FirstBlockSlots << k;
        }
        ValueSize = valueSize;
        MaxElements = maxElements;
        HoldsPerLane = holdsPerLane;
        HoldStride = holdStride;
        StoreId = region.HashSeed;
        FinishDeadFreeListOwner = (_, dead) => FreeList.TakeOverAndFinish(this, CurrentHolds(), dead);
    }

    /// <summary>What a waiter for the free-list lock does with an owner proven dead: takes the lock over and finishes its change.</summary>
    public LockWordAction FinishDeadFreeListOwner { get; }

    public MapRegion Region { get; }

    public LaneTable Lanes => Region.Lanes;

    public RwControl* Control { get; }

    public int ValueSize { get; }

    public long MaxElements { get; }

    public int HoldsPerLane { get; }

    public int HoldStride { get; }

    public int BlockCount => _blocks.Length;

    /// <summary>The store's identity, carried by its ids: the header's random seed (the store hashes nothing).</summary>
    public ulong StoreId { get; }

    /// <summary>Slots handed out at least once (the blocks in use hold them), within [0, <see cref="MaxElements"/>] whatever the file says.</summary>
    public long UsedSlots => Math.Clamp(SharedMemory.ReadAcquire(&Control->NextFresh), 0, MaxElements);

    /// <summary>Whether <paramref name="slot"/> (read from the file) was handed out, so that its word and value may be touched.</summary>
    public bool IsUsedSlot(long slot) => (ulong)slot < (ulong)UsedSlots;

    private long CheckUsed(long slot)
    {
        if (!IsUsedSlot(slot))
        {
            ThrowHelper.ThrowCorrupt($"store '{Region.Name}': slot {slot} is named, but only {UsedSlots} slots were ever handed out");
        }
        return slot;
    }

    /// <summary>
    /// Reserves the block that slot <paramref name="slot"/>, about to be handed out for the first time, starts (block 0
    /// is reserved at create); <see cref="MapFullException"/> if the file system has no room for it.
    /// </summary>
    public void ReserveBlockStartingAt(long slot)
    {
        int block = RwStoreLayout.BlockOf(slot);
        if (block > 0 && slot == RwStoreLayout.SlotsBefore(block))
        {
            Region.Reserve(RwStoreLayout.BlockRegion, RwStoreLayout.BlockOffset(block, ValueSize), RwStoreLayout.BlockBytes(block, ValueSize),
                $"block {block} ({(long)RwStoreLayout.FirstBlockSlots << block} slots)");
        }
    }

    /// <summary>
    /// The element word of <paramref name="slot"/>, a slot named by the file (a record, the free list) or by a caller;
    /// <see cref="CorruptMapException"/> unless it was handed out (its block reserved).
    /// </summary>
    public ulong* Word(long slot) => Locate(CheckUsed(slot), out _);

    /// <summary>The value of <paramref name="slot"/>, checked as <see cref="Word"/>.</summary>
    public byte* Value(long slot)
    {
        Locate(CheckUsed(slot), out byte* value);
        return value;
    }

    /// <summary>
    /// The element word of <paramref name="slot"/> and its value, from one block lookup, unchecked: the caller knows the
    /// slot was handed out (<see cref="IsUsedSlot"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* Locate(long slot, out byte* value)
    {
        int block = RwStoreLayout.BlockOf(slot);
        byte* start = (byte*)_blocks[block];
        if (start == null)
        {
            start = MapBlock(block);
        }
        long index = slot - RwStoreLayout.SlotsBefore(block);
        value = start + (_blockSlots[block] * sizeof(ulong)) + (index * ValueSize);
        return (ulong*)start + index;
    }

    /// <summary>Maps block <paramref name="block"/> (one the file holds: else <see cref="CorruptMapException"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* MapBlock(int block)
    {
        byte* start = Region.RegionPointer(RwStoreLayout.BlockRegion, RwStoreLayout.BlockOffset(block, ValueSize), RwStoreLayout.BlockBytes(block, ValueSize));
        Volatile.Write(ref _blocks[block], (nint)start); // a pointer store: a racing mapper stores one to the same block
        return start;
    }

    /// <summary>Hold record <paramref name="index"/> of lane <paramref name="lane"/> (0 is the lane's allocation record).</summary>
    public HoldRecord* Hold(int lane, int index)
    {
        if ((uint)lane >= (uint)Lanes.Count || (uint)index >= (uint)HoldsPerLane)
        {
            ThrowHelper.ThrowCorrupt($"store '{Region.Name}': hold record {index} of lane {lane} is outside the table");
        }
        return (HoldRecord*)(_holds + ((((long)lane * HoldsPerLane) + index) * HoldStride));
    }

    /// <summary>The undo image of a hold record.</summary>
    public static byte* UndoImage(HoldRecord* record) => (byte*)record + HoldRecord.Size;

    /// <summary>Whether the record's state word <paramref name="state"/> (read first) belongs to the live holder of lane <paramref name="lane"/>.</summary>
    public bool IsRecordLive(int lane, ulong state, Dictionary<int, bool>? aliveCache = null)
    {
        // The lane's generation is read after the record: a generation only grows, so a record that carries
        // the generation read now was written by the holder of that generation.
        ushort generation = (ushort)SharedMemory.ReadAcquire(&Lanes.Record(lane)->Generation);
        if (HoldRecord.LaneGenerationOf(state) != generation)
        {
            return false;
        }
        if (aliveCache is null)
        {
            return Lanes.IsAlive(lane);
        }
        if (!aliveCache.TryGetValue(lane, out bool alive))
        {
            alive = Lanes.IsAlive(lane);
            aliveCache[lane] = alive;
        }
        return alive;
    }

    /// <summary>Checks the kind parameters against the regions; <see cref="CorruptMapException"/> naming what is wrong.</summary>
    public static RwTable Open(MapRegion region, int valueSize)
    {
        RwStoreParameters parameters = RwStoreLayout.Parameters(region, valueSize);
        (long blocks, long maxElements, long holdsPerLane, long holdStride) = (parameters.Blocks, parameters.MaxElements, parameters.HoldsPerLane, parameters.HoldStride);
        byte* control = region.RegionPointer(RwStoreLayout.ControlRegion, out long controlBytes);
        byte* holds = region.RegionPointer(RwStoreLayout.HoldRegion, out long holdBytes);
        long blockTotal = RwStoreLayout.BlockOffset((int)blocks, valueSize);
        if (controlBytes < RwControl.Size || holdBytes < (long)region.Lanes.Count * holdsPerLane * holdStride || region.RegionLength(RwStoreLayout.BlockRegion) < blockTotal)
        {
            ThrowHelper.ThrowCorrupt($"store '{region.Name}': a region is shorter than {blocks} blocks and the hold records need");
        }
        var table = new RwTable(region, (RwControl*)control, holds, (int)blocks, valueSize, maxElements, (int)holdsPerLane, (int)holdStride);
        // The blocks of the slots handed out are touched from now on: their memory must be there (the writer that
        // handed them out reserved it, unless the file came from elsewhere).
        long used = table.UsedSlots;
        int lastBlock = used == 0 ? 0 : RwStoreLayout.BlockOf(used - 1);
        region.EnsureReserved(RwStoreLayout.BlockRegion, 0, RwStoreLayout.BlockOffset(lastBlock + 1, valueSize), "the blocks in use");
        return table;
    }
}
