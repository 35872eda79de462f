using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>How a <see cref="BlobMap"/> keeps to a byte budget: its writes evict what was not read lately (<see cref="BlobBudget"/>).</summary>
public sealed unsafe partial class BlobMap
{
    /// <summary>
    /// The most bytes the map's entries may take (0: no budget, the default), for every process of the map: a write that
    /// would go past it first evicts entries not read since the eviction hand last passed them (CLOCK). Entries take their
    /// blocks' bytes: the key, the value and 16 bytes, rounded up to a size class (at most a sixteenth more). Lowering it
    /// evicts at once. A write evicts after it is made, so a map at rest is within its budget and a busy one past it by at
    /// most the writes under way. The file also holds the index and free blocks, which the budget does not count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative budget.</exception>
    /// <exception cref="InvalidOperationException">The map's file was made before BlobMaps kept their bytes (make it again to give it a budget).</exception>
    public long MaxBytes
    {
        get
        {
            ThrowIfDisposed();
            return _budget.Keeps ? _budget.MaxBytes : 0;
        }
        set
        {
            ThrowIfDisposed();
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (!_budget.Keeps)
            {
                throw new InvalidOperationException($"map '{Name}' was made before BlobMaps kept count of their bytes, and cannot take a budget; copy it into a new map");
            }
            _budget.SetMaxBytes(value);
            if (value != 0 && _budget.LiveBytes > value)
            {
                Lane lane = CurrentLane();
                EvictTo(lane, (BlobRecord*)lane.UndoImage, value);
            }
        }
    }

    /// <summary>The bytes the map's entries take, as <see cref="MaxBytes"/> counts them: exact when no write runs meanwhile.</summary>
    public long LiveBytes
    {
        get
        {
            ThrowIfDisposed();
            return _budget.Keeps ? _budget.LiveBytes : BlockBytes();
        }
    }

    /// <summary>How many entries writes have evicted to keep the budget, by every process, since the map was made.</summary>
    public long Evictions
    {
        get
        {
            ThrowIfDisposed();
            return _budget.Evictions;
        }
    }

    /// <summary>Refuses a block of <paramref name="bytes"/> larger than the whole budget.</summary>
    private void ThrowIfOverBudget(long budget, long bytes)
    {
        if (bytes > budget)
        {
            ThrowHelper.ThrowMapFull($"map '{Name}': a value taking {bytes:N0} bytes does not fit its budget of {budget:N0} bytes");
        }
    }

    /// <summary>
    /// Moves the hand on over the newest table's cells, a <see cref="BlobBudget.HandStep"/> at a time under their stripe's
    /// lock, until the live bytes are at most <paramref name="target"/>: an entry whose reference bit is set loses it,
    /// one whose bit is clear is evicted. Gives up after two turns of the table (every bit found set was cleared in the
    /// first: what still stands was read again meanwhile); this lane holds no stripe lock when it is called.
    /// </summary>
    private void EvictTo(Lane lane, BlobRecord* record, long target)
    {
        long looked = 0;
        while (_budget.LiveBytes > target)
        {
            BlobView view = View();
            BlobTable table = view.Newest;
            long cells = table.Stripes * BlobLayout.CellsPerStripe;
            if (looked > 2 * cells)
            {
                return;
            }
            looked += BlobBudget.HandStep;
            long at = (long)(_budget.AdvanceHand() % (ulong)cells) & ~(long)(BlobBudget.HandStep - 1);
            long index = at / BlobLayout.CellsPerStripe;
            if (view.Older is not null)
            {
                _migration.Help(view, index & view.Older.StripeMask);
            }
            byte* stripe = table.Stripe(index);
            ulong lockedFrom = RobustLock.Acquire(_region.Lanes, lane, (ulong*)stripe, _finishDeadStripeOwner);
            try
            {
                // Checked after the lock's CAS, as a write does: a migration published before it moves the hand's cells.
                if (TableDirectory.Generation(_directory.ReadState()) == table.Generation)
                {
                    EvictAmong(lane, record, table, index, (int)(at % BlobLayout.CellsPerStripe));
                }
            }
            finally
            {
                RobustLock.Release((ulong*)stripe, lockedFrom);
            }
        }
    }

    /// <summary>
    /// Under the stripe's lock: the hand's pass over <see cref="BlobBudget.HandStep"/> cells from <paramref name="first"/>,
    /// each looked at (a pass that stopped at the budget would leave cells the hand has moved past unseen, and bring it
    /// round again too soon): so a write may evict a few entries more than it needs.
    /// </summary>
    private void EvictAmong(Lane lane, BlobRecord* record, BlobTable table, long index, int first)
    {
        byte* stripe = table.Stripe(index);
        ulong* cells = BlobTable.Cells(stripe);
        for (int cell = first; cell < first + BlobBudget.HandStep; cell++)
        {
            ulong entry = cells[cell];
            if (!BlobEntry.IsBlock(entry) || BlobBudget.TakeReference(stripe, cell))
            {
                continue;
            }
            record->Generation = table.Generation;
            record->Stripe = index;
            record->Cell = cell;
            record->Old = entry;
            record->New = BlobEntry.Tombstone;
            record->Class = BlobRecord.Eviction;
            BlobRecord.Enter(record, BlobStep.Writing);
            Publish(lane, record, table, index, cell, entry, BlobEntry.Tombstone);
        }
    }

    /// <summary>The bytes of the blocks the index names, counted from its cells (for a file that does not keep them).</summary>
    private long BlockBytes()
    {
        while (true)
        {
            BlobView view = View();
            long bytes = 0;
            foreach (BlobTable table in view.Live)
            {
                for (long s = 0; s < table.Stripes; s++)
                {
                    if (!view.Holds(table, s))
                    {
                        continue;
                    }
                    for (int c = 0; c < BlobLayout.CellsPerStripe; c++)
                    {
                        ulong entry = SharedMemory.ReadAcquire(table.Cell(s, c));
                        bytes += BlobEntry.IsBlock(entry) && BlobEntry.Class(entry) < SizeClasses.Count ? SizeClasses.Size(BlobEntry.Class(entry)) : 0;
                    }
                }
            }
            if (_directory.ReadState() == view.State)
            {
                return bytes;
            }
        }
    }
}
