namespace ShmMaps.Blob;

/// <summary>
/// A blob map's byte budget: the live bytes every write moves on under the budget lock, the budget they are held to,
/// and the reference bits and hand by which writes choose what to evict (CLOCK over the index's cells).
/// </summary>
/// <remarks>
/// <para>
/// Live bytes are the blocks the index names, by their size class. A write moves them by its new block's bytes less its
/// old one's after its entry is in the cell, under the budget lock, in two recorded steps (<see cref="BlobStep.Accounting"/>
/// with the bytes before, then <see cref="BlobStep.Accounted"/>), so a recoverer finishes the count exactly once: a
/// record at Published (or one whose entry is in the cell) is counted by its recoverer, one at Accounting is set from
/// the bytes it recorded by whoever takes the budget lock over, one at Accounted is counted already.
/// </para>
/// <para>
/// A read that finds a key sets its cell's reference bit (once: a bit already set is only read); the hand passes the
/// cells of the newest table in order, clearing the bits it finds set and evicting the entries whose bit is clear. So an
/// entry read since the hand last passed it stays, and one never read since it was written goes first.
/// </para>
/// </remarks>
internal sealed unsafe class BlobBudget
{
    /// <summary>The cells the hand moves on by at once: a writer evicts among them under one stripe lock.</summary>
    public const int HandStep = 16;

    private readonly LaneTable _lanes;
    private readonly BlobControl _control;
    private readonly string _name;
    private readonly LockWordAction _settleDeadBudgetOwner;

    public BlobBudget(BlobLayout layout)
    {
        _lanes = layout.Region.Lanes;
        _control = layout.Control;
        _name = layout.Region.Name;
        Keeps = layout.KeepsLiveBytes;
        _settleDeadBudgetOwner = SettleDeadBudgetOwner;
    }

    /// <summary>Whether the file keeps live bytes (every map made since budgets came).</summary>
    public bool Keeps { get; }

    /// <summary>The budget (0: none), checked: a negative one is damage.</summary>
    public long MaxBytes
    {
        get
        {
            long max = SharedMemory.ReadAcquire(_control.MaxBytes);
            if (max < 0)
            {
                ThrowHelper.ThrowCorrupt($"map '{_name}': its budget reads {max} bytes");
            }
            return max;
        }
    }

    /// <summary>Whether reads should mark what they find: the map has a budget.</summary>
    public bool Active
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => *_control.MaxBytes != 0;
    }

    public long LiveBytes => SharedMemory.ReadAcquire(_control.LiveBytes);

    public long Evictions => SharedMemory.ReadAcquire(_control.Evictions);

    /// <summary>Sets the budget (release: a writer that reads it finds the live bytes it is held to as they are).</summary>
    public void SetMaxBytes(long bytes) => SharedMemory.WriteRelease(_control.MaxBytes, bytes);

    /// <summary>Moves the hand on by <see cref="HandStep"/> cells; returns the first cell it passed (a count, to be taken modulo the table's cells).</summary>
    public ulong AdvanceHand() => (ulong)SharedMemory.Add(_control.Hand, HandStep) - HandStep;

    /// <summary>
    /// Moves the live bytes on by the write <paramref name="record"/> names (its entry in the cell, the record at
    /// Published) and counts an eviction; the record then says Accounted, or stays at Published if nothing changes.
    /// </summary>
    public void Account(Lane lane, BlobRecord* record)
    {
        bool evicted = IsEviction(record);
        if (!Keeps || (Difference(record) == 0 && !evicted))
        {
            return;
        }
        ulong* word = _control.BudgetLock;
        ulong lockedFrom = RobustLock.Acquire(_lanes, lane, word, _settleDeadBudgetOwner);
        try
        {
            record->Blocks = *_control.LiveBytes;
            record->Head = evicted ? *_control.Evictions : -1;
            BlobRecord.Enter(record, BlobStep.Accounting);
            Finish(record);
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>
    /// For a recoverer of a dead lane's record at <see cref="BlobStep.Accounting"/>: takes the budget lock (over from the
    /// dead holder, who finishes the step) and finishes the step if it is still there.
    /// </summary>
    public void Settle(Lane me, BlobRecord* dead)
    {
        ulong* word = _control.BudgetLock;
        ulong lockedFrom = RobustLock.Acquire(_lanes, me, word, _settleDeadBudgetOwner);
        try
        {
            if (BlobRecord.StepOf(dead) == BlobStep.Accounting)
            {
                Finish(dead); // a damaged record: the step is left before the lock is released
            }
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>Takes and releases the budget lock if a dead process holds it (its step is finished); false otherwise.</summary>
    public bool RecoverIfDead(Lane me)
    {
        ulong* word = _control.BudgetLock;
        ulong seen = SharedMemory.ReadAcquire(word);
        if (!LockWord.IsLocked(seen) || !_lanes.IsOwnerDead(seen))
        {
            return false;
        }
        RobustLock.Release(word, RobustLock.Acquire(_lanes, me, word, _settleDeadBudgetOwner));
        return true;
    }

    /// <summary>Marks cell <paramref name="cell"/> of the stripe whose cells start at <paramref name="cells"/> as read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Touch(ulong* cells, int cell)
    {
        ulong* word = Referenced((byte*)cells - BlobLayout.CellsOffset, cell);
        ulong bit = 1UL << (cell & 63);
        if ((SharedMemory.ReadAcquire(word) & bit) == 0)
        {
            SharedMemory.Or(word, bit); // publishes nothing: a hint for the hand
        }
    }

    /// <summary>Whether cell <paramref name="cell"/> of <paramref name="stripe"/> was read since the hand last passed it.</summary>
    public static bool IsReferenced(byte* stripe, int cell) => (SharedMemory.ReadAcquire(Referenced(stripe, cell)) & (1UL << (cell & 63))) != 0;

    /// <summary>Under the stripe's lock: clears the reference bit of <paramref name="cell"/>; returns whether it was set.</summary>
    public static bool TakeReference(byte* stripe, int cell)
    {
        ulong* word = Referenced(stripe, cell);
        ulong bit = 1UL << (cell & 63);
        return (SharedMemory.ReadAcquire(word) & bit) != 0 && (SharedMemory.And(word, ~bit) & bit) != 0;
    }

    /// <summary>The bytes a write's entry takes less those of the entry it replaces (a tombstone or empty cell: none).</summary>
    private long Difference(BlobRecord* record) => BytesOf(record->New) - BytesOf(record->Old);

    private long BytesOf(ulong entry)
    {
        if (!BlobEntry.IsBlock(entry))
        {
            return 0;
        }
        int sizeClass = BlobEntry.Class(entry);
        if (sizeClass >= SizeClasses.Count)
        {
            ThrowHelper.ThrowCorrupt($"map '{_name}': a write record names an entry of size class {sizeClass}; there are {SizeClasses.Count}");
        }
        return SizeClasses.Size(sizeClass);
    }

    private static bool IsEviction(BlobRecord* record) => record->Class == BlobRecord.Eviction && record->New == BlobEntry.Tombstone;

    /// <summary>Under the budget lock: sets the live bytes (and evictions) from what the record at Accounting says; idempotent.</summary>
    private void Finish(BlobRecord* record)
    {
        // Release: whoever reads the live bytes after the lock finds the cell that moved them.
        SharedMemory.WriteRelease(_control.LiveBytes, record->Blocks + Difference(record));
        if (record->Head >= 0)
        {
            SharedMemory.WriteRelease(_control.Evictions, record->Head + 1);
        }
        BlobRecord.Enter(record, BlobStep.Accounted);
    }

    private void SettleDeadBudgetOwner(ulong* word, ulong dead)
    {
        if (!RobustLock.TryTakeOver(_lanes.Current, word, dead))
        {
            return;
        }
        try
        {
            BlobRecord* record = BlobHeap.StepRecordOf(_lanes, LockWord.OwnerLane(dead));
            if (BlobRecord.StepOf(record) == BlobStep.Accounting)
            {
                Finish(record);
            }
        }
        finally
        {
            RobustLock.Release(word, dead);
        }
    }

    private static ulong* Referenced(byte* stripe, int cell) => (ulong*)(stripe + BlobLayout.ReferencedOffset) + (cell >> 6);
}
