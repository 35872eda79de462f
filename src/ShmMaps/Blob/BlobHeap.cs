namespace ShmMaps.Blob;

/// <summary>
/// A blob map's blocks: taken from their size class's free list, which is refilled from the heap's frontier a chunk at a
/// time, and given back to it; each list under its own robust lock, the frontier under one more.
/// </summary>
/// <remarks>
/// Locks nest stripe, then class, then frontier; the budget lock (<see cref="BlobBudget"/>) is taken under a stripe lock
/// alone. Every step under a class lock is announced in the lane's
/// <see cref="BlobRecord"/> before it changes the list, and the record leaves the step before the lock is released; so
/// whoever takes a class lock over from a dead holder finds the step in the holder's record and finishes it from the
/// list itself (<see cref="FinishClassStep"/>): a block taken unless it still heads the list, a block given back once
/// it heads it, a carve done again from the frontier it started at. Nothing is lost and nothing is listed twice.
/// </remarks>
internal sealed unsafe class BlobHeap
{
    /// <summary>How many leased blocks at the front of a list a take passes by before it carves fresh ones.</summary>
    private const int MaxLeasedPassed = 16;

    /// <summary>The heap bytes a class's empty list is refilled with at once (or one block, if larger).</summary>
    public const int CarveBytes = 16 << 10;

    private readonly BlobLayout _layout;
    private readonly LaneTable _lanes;
    private readonly BlobControl _control;
    private readonly LockWordAction _finishDeadClassOwner;
    private readonly LockWordAction _settleDeadFrontierOwner;

    public BlobHeap(BlobLayout layout)
    {
        _layout = layout;
        _lanes = layout.Region.Lanes;
        _control = layout.Control;
        _finishDeadClassOwner = FinishDeadClassOwner;
        _settleDeadFrontierOwner = SettleDeadFrontierOwner;
    }

    /// <summary>
    /// Takes a free block of <paramref name="sizeClass"/> for <paramref name="lane"/>, whose record then says
    /// <see cref="BlobStep.Taken"/> with the block; <see cref="MapFullException"/> if the heap or the file system has no
    /// room for it (the record back at <see cref="BlobStep.Writing"/>).
    /// </summary>
    public long Take(Lane lane, BlobRecord* record, int sizeClass)
    {
        ulong* word = _control.ClassLock(sizeClass);
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _finishDeadClassOwner);
        try
        {
            long* head = _control.ClassHead(sizeClass);
            if (*head == 0)
            {
                Carve(lane, record, sizeClass);
            }
            // The first free block no reader holds a lease on; fresh ones if the first few are all leased.
            long previous = 0;
            long block = CheckListed(*head, sizeClass);
            for (int passed = 0; _layout.Leases.IsLeased(block); passed++)
            {
                long next = SharedMemory.ReadAcquire(BlobBlock.Next(BlockAt(block, sizeClass)));
                if (next == 0 || passed == MaxLeasedPassed)
                {
                    Carve(lane, record, sizeClass);
                    (previous, block) = (0, CheckListed(*head, sizeClass));
                    break;
                }
                (previous, block) = (block, CheckListed(next, sizeClass));
            }
            long after = SharedMemory.ReadAcquire(BlobBlock.Next(BlockAt(block, sizeClass)));
            record->Class = sizeClass;
            record->Block = block;
            record->Head = previous;
            BlobRecord.Enter(record, BlobStep.Taking);
            // Release: a recoverer that finds the list changed finds the record saying why.
            SharedMemory.WriteRelease(previous == 0 ? head : BlobBlock.Next(BlockAt(previous, sizeClass)), after == 0 ? 0 : CheckListed(after, sizeClass));
            BlobRecord.Enter(record, BlobStep.Taken);
            return block;
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>Links <paramref name="block"/> (of <paramref name="sizeClass"/>) in front of its free list for <paramref name="lane"/>; its record then says <paramref name="after"/>.</summary>
    public void Return(Lane lane, BlobRecord* record, long block, int sizeClass, BlobStep after)
    {
        ulong* word = _control.ClassLock(sizeClass);
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _finishDeadClassOwner);
        try
        {
            record->Class = sizeClass;
            record->Block = block;
            BlobRecord.Enter(record, BlobStep.Returning);
            Link(block, sizeClass);
            BlobRecord.Enter(record, after);
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>Under the class lock: the lock of <paramref name="sizeClass"/>, for a recoverer that must settle a dead lane's class step.</summary>
    public void Settle(Lane lane, BlobRecord* dead, int sizeClass)
    {
        ulong* word = _control.ClassLock(sizeClass);
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _finishDeadClassOwner);
        try
        {
            FinishClassStep(lane, dead, sizeClass);
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>Takes a class's lock or the frontier's (<paramref name="word"/>), recovering a dead holder as each does.</summary>
    public ulong AcquireSettling(Lane lane, ulong* word) =>
        RobustLock.Acquire(_lanes, lane, word, word == _control.FrontierLock ? _settleDeadFrontierOwner : _finishDeadClassOwner);

    /// <summary>The block at heap offset <paramref name="offset"/> of <paramref name="sizeClass"/>, checked to lie in the heap handed out.</summary>
    public byte* BlockAt(long offset, int sizeClass) => _layout.Block(offset, SizeClasses.Size(sizeClass));

    /// <summary>
    /// Refills the empty list of <paramref name="sizeClass"/> from the frontier: a chunk of blocks, each marked free
    /// (version 1), linked in heap order, the last to the list's old head.
    /// </summary>
    private void Carve(Lane lane, BlobRecord* record, int sizeClass)
    {
        int size = SizeClasses.Size(sizeClass);
        long blocks = Math.Max(1, CarveBytes / size);
        long start = Advance(lane, record, sizeClass, blocks * size);
        LinkCarved(start, blocks, sizeClass, record->Head);
        BlobRecord.Enter(record, BlobStep.Writing);
    }

    /// <summary>
    /// Moves the frontier on by <paramref name="bytes"/> (memory reserved first) for a carve the record announces; returns
    /// where the carve starts. <see cref="MapFullException"/> leaves the frontier and the record as they were.
    /// </summary>
    private long Advance(Lane lane, BlobRecord* record, int sizeClass, long bytes)
    {
        ulong* word = _control.FrontierLock;
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _settleDeadFrontierOwner);
        try
        {
            long start = _layout.Frontier;
            long end = start + bytes;
            if (end > _layout.Region.RegionLength(BlobLayout.HeapRegion))
            {
                ThrowHelper.ThrowMapFull($"map '{_layout.Region.Name}': its heap of {BlobLayout.HeapBytes:N0} bytes is used up");
            }
            _layout.Heap.Cover(start, end);
            record->Class = sizeClass;
            record->Block = start;
            record->Blocks = bytes / SizeClasses.Size(sizeClass);
            record->Head = *_control.ClassHead(sizeClass);
            BlobRecord.Enter(record, BlobStep.Carving);
            // Release: the chunk's memory is reserved before any process may hand out bytes past it.
            SharedMemory.WriteRelease(_control.Frontier, end);
            return start;
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>
    /// Allocates <paramref name="bytes"/> at the frontier (no gap: every heap byte is a table or a block) for a table (idempotent: <paramref name="offsetWord"/>
    /// says where a try killed midway put it); returns the heap offset.
    /// </summary>
    public long AdvanceForTable(Lane lane, long* offsetWord, long bytes, string what)
    {
        ulong* word = _control.FrontierLock;
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _settleDeadFrontierOwner);
        try
        {
            long frontier = _layout.Frontier;
            long offset = SharedMemory.ReadAcquire(offsetWord);
            if (offset != 0 && offset % BlobEntry.UnitBytes == 0 && offset >= _layout.FirstTableBytes && offset + bytes <= frontier)
            {
                return offset; // reserved before
            }
            offset = frontier;
            if (offset + bytes > _layout.Region.RegionLength(BlobLayout.HeapRegion))
            {
                ThrowHelper.ThrowMapFull($"map '{_layout.Region.Name}': its heap of {BlobLayout.HeapBytes:N0} bytes has no room for {what}");
            }
            _layout.Heap.Cover(frontier, offset + bytes);
            // Release both: the table's memory is reserved before anyone reads its place, and its place before the frontier passes it.
            SharedMemory.WriteRelease(offsetWord, offset);
            SharedMemory.WriteRelease(_control.Frontier, offset + bytes);
            return offset;
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    private void LinkCarved(long start, long blocks, int sizeClass, long oldHead)
    {
        int size = SizeClasses.Size(sizeClass);
        for (long i = 0; i < blocks; i++)
        {
            byte* block = BlockAt(start + (i * size), sizeClass);
            *BlobBlock.Version(block) = 1;
            *BlobBlock.Next(block) = i + 1 < blocks ? start + ((i + 1) * size) : oldHead;
        }
        // Release: the chunk is linked before the list names it.
        SharedMemory.WriteRelease(_control.ClassHead(sizeClass), start);
    }

    /// <summary>Under the class lock: marks <paramref name="block"/> free and links it in front (idempotent: done if it heads the list).</summary>
    private void Link(long block, int sizeClass)
    {
        long* head = _control.ClassHead(sizeClass);
        if (*head == block)
        {
            return;
        }
        byte* bytes = BlockAt(block, sizeClass);
        uint version = SharedMemory.ReadAcquire(BlobBlock.Version(bytes));
        if ((version & 1) == 0)
        {
            // Release: a reader copying the block sees it change before the link overwrites its lengths.
            SharedMemory.WriteRelease(BlobBlock.Version(bytes), version + 1);
            SharedMemory.StoreStoreBarrier();
        }
        *BlobBlock.Next(bytes) = *head;
        // Release: the link is in the block before the head names it.
        SharedMemory.WriteRelease(head, block);
    }

    /// <summary>
    /// Under the lock of <paramref name="sizeClass"/>: finishes what <paramref name="dead"/> (the record of the lock's
    /// dead holder) says was under way on that class, and moves the record past it.
    /// </summary>
    private void FinishClassStep(Lane me, BlobRecord* dead, int sizeClass)
    {
        BlobStep step = BlobRecord.StepOf(dead);
        if (dead->Class != sizeClass || step is not (BlobStep.Carving or BlobStep.Taking or BlobStep.Returning))
        {
            return; // the holder died before announcing its step, or after leaving it
        }
        long* head = _control.ClassHead(sizeClass);
        switch (step)
        {
            case BlobStep.Carving:
                // Settling the frontier's lock leaves Carving only if the frontier was moved past the carve's start.
                SettleFrontier(me);
                if (BlobRecord.StepOf(dead) == BlobStep.Carving)
                {
                    LinkCarved(dead->Block, dead->Blocks, sizeClass, dead->Head);
                }
                BlobRecord.Enter(dead, BlobStep.Writing);
                break;
            case BlobStep.Taking:
                // Unlinked from the front of the list, or from behind the leased block the record names.
                long* link = dead->Head == 0 ? head : BlobBlock.Next(BlockAt(dead->Head, sizeClass));
                BlobRecord.Enter(dead, SharedMemory.ReadAcquire(link) == dead->Block ? BlobStep.Writing : BlobStep.Taken);
                break;
            case BlobStep.Returning:
                Link(dead->Block, sizeClass);
                BlobRecord.Enter(dead, BlobStep.None);
                break;
        }
    }

    /// <summary>Takes and releases the frontier's lock: a dead holder's carve that did not move the frontier is called off.</summary>
    private void SettleFrontier(Lane me)
    {
        ulong* word = _control.FrontierLock;
        RobustLock.Release(word, RobustLock.Acquire(_lanes, me, word, _settleDeadFrontierOwner));
    }

    private void FinishDeadClassOwner(ulong* word, ulong dead)
    {
        Lane me = _lanes.Current;
        if (!RobustLock.TryTakeOver(me, word, dead))
        {
            return;
        }
        try
        {
            int sizeClass = (int)(((byte*)word - (byte*)_control.ClassLock(0)) / 64);
            FinishClassStep(me, StepRecordOf(_lanes, LockWord.OwnerLane(dead)), sizeClass);
        }
        finally
        {
            RobustLock.Release(word, dead);
        }
    }

    /// <summary>
    /// Takes the frontier over from its dead holder: a carve the holder announced but did not move the frontier for is
    /// called off (no one else moved it meanwhile); one that moved it is left to its class lock's recoverer.
    /// </summary>
    private void SettleDeadFrontierOwner(ulong* word, ulong dead)
    {
        if (!RobustLock.TryTakeOver(_lanes.Current, word, dead))
        {
            return;
        }
        try
        {
            BlobRecord* record = RecordOf(_lanes, LockWord.OwnerLane(dead));
            if (BlobRecord.StepOf(record) == BlobStep.Carving && record->Block == _layout.Frontier)
            {
                BlobRecord.Enter(record, BlobStep.Writing);
            }
        }
        finally
        {
            RobustLock.Release(word, dead);
        }
    }

    /// <summary>The record whose class (or budget) step lane <paramref name="index"/> works on: its own, or the one it stands in for as a proxy.</summary>
    public static BlobRecord* StepRecordOf(LaneTable lanes, int index)
    {
        BlobRecord* record = RecordOf(lanes, index);
        return BlobRecord.StepOf(record) == BlobStep.Proxy ? RecordOf(lanes, (int)Math.Min(record->Old, int.MaxValue)) : record;
    }

    /// <summary>The record of lane <paramref name="index"/> (its undo area).</summary>
    public static BlobRecord* RecordOf(LaneTable lanes, int index) => (BlobRecord*)((byte*)lanes.Record(index) + LaneRecord.Size);

    private long CheckListed(long offset, int sizeClass)
    {
        if (!_layout.HoldsBlock(offset, SizeClasses.Size(sizeClass)))
        {
            ThrowHelper.ThrowCorrupt($"map '{_layout.Region.Name}': the free list of size class {sizeClass} names heap offset {offset}, outside the heap handed out");
        }
        return offset;
    }
}
