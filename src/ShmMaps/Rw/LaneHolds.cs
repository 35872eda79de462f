namespace ShmMaps.Rw;

/// <summary>
/// The hold records of one lane this handle holds: which are free, and the tickets that tell their uses apart.
/// </summary>
/// <remarks>
/// Only the thread that holds the lane takes records (one thread at a time); any thread frees the record of a
/// lock it releases, with a release store of zero, so a record is free exactly when its state says None.
/// </remarks>
internal sealed unsafe class LaneHolds
{
    private readonly byte* _first;
    private readonly int _stride;
    private readonly int _count;
    private int _next = 1;
    private uint _ticket;

    public LaneHolds(RwTable table, Lane lane)
    {
        Lane = lane;
        _first = (byte*)table.Hold(lane.Index, 0);
        _stride = table.HoldStride;
        _count = table.HoldsPerLane;
        Allocation = (HoldRecord*)_first;
    }

    public Lane Lane { get; }

    /// <summary>The lane's allocation record (record 0): what an insert or a remove is doing to the free list.</summary>
    public HoldRecord* Allocation { get; }

    /// <summary>The state word of <paramref name="state"/> for this lane's next use of a record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextWord(HoldState state) => HoldRecord.Word(Lane.Generation, state, ++_ticket);

    /// <summary>A free lock record of this lane, or null when every one is in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HoldRecord* TakeFree()
    {
        var record = (HoldRecord*)(_first + ((long)_next * _stride));
        // Acquire: pairs with the releasing thread's store, so the lock it let go is fully released before reuse.
        if (HoldRecord.StateOf(SharedMemory.ReadAcquire(&record->State)) == HoldState.None)
        {
            return record;
        }
        return Search();
    }

    /// <summary>Record <paramref name="index"/> of this lane.</summary>
    public HoldRecord* Record(int index) => (HoldRecord*)(_first + ((long)index * _stride));

    /// <summary>The number of records, the allocation record included.</summary>
    public int Count => _count;

    private HoldRecord* Search()
    {
        for (int step = 1; step < _count; step++)
        {
            int index = 1 + ((_next - 1 + step) % (_count - 1));
            var record = (HoldRecord*)(_first + ((long)index * _stride));
            if (HoldRecord.StateOf(SharedMemory.ReadAcquire(&record->State)) == HoldState.None)
            {
                _next = index;
                return record;
            }
        }
        return null;
    }
}
