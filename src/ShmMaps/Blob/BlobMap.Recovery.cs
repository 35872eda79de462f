using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>How a <see cref="BlobMap"/> finishes the writes of processes killed midway.</summary>
/// <remarks>
/// <para>
/// A lane's <see cref="BlobRecord"/> names the stripe it has locked and the step it is at. Whoever finds a stripe's lock
/// held by a dead lane takes it over (one CAS; one recoverer wins), settles a class step the record may be in by taking
/// that class's lock (whose own recoverer finishes it: <see cref="BlobHeap"/>), and then reads the cell: a write whose
/// entry (or tombstone) is in the cell happened, and its old block goes back to its class; one whose entry is not there
/// did not, and the block it had taken goes back; a write that happened is counted in the live bytes once
/// (<see cref="BlobBudget"/>). The key keeps its old value or its new one, and every block is either named by a cell or
/// on a free list. The stripe's count is counted again from its cells.
/// </para>
/// <para>
/// The recoverer first copies what is left to do into its own record and clears the dead one's: if the recoverer dies
/// too, the stripe's lock names it, and the next recoverer finds the work in its record. A lane's next holder settles
/// what the lane's last holder left before it writes (<see cref="CurrentLane"/>).
/// </para>
/// </remarks>
public sealed unsafe partial class BlobMap
{
    /// <summary>The calling thread's lane, made ready on this handle's first use of it: what the lane's last holder left is settled first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Lane CurrentLane()
    {
        Lane lane = _region.Lanes.Current;
        return ReferenceEquals(lane.Attachment, this) ? lane : Prepare(lane);
    }

    /// <summary>
    /// A write the lane's last holder left is finished under its stripe's lock (taken over from that holder, who is gone,
    /// or waited for): the lane writes nothing of its own before.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Lane Prepare(Lane lane)
    {
        var record = (BlobRecord*)lane.UndoImage;
        while (BlobRecord.StepOf(record) != BlobStep.None)
        {
            ulong* word = RecordedStripe(record);
            if (word is null)
            {
                BlobRecord.Enter(record, BlobStep.None); // a table given back: every write in it was finished before it was moved
                continue;
            }
            ulong lockedFrom = RobustLock.Acquire(_region.Lanes, lane, word, _finishDeadStripeOwner);
            try
            {
                SettleStripe(lane, word);
                if (BlobRecord.StepOf(record) != BlobStep.None)
                {
                    // The walk under the stripe's lock finishes every record naming the stripe: one left names no write
                    // of it (a damaged record), and nothing can be done for it.
                    BlobRecord.Enter(record, BlobStep.None);
                }
            }
            finally
            {
                RobustLock.Release(word, lockedFrom);
            }
        }
        _layout.Leases.Clear(lane.Index); // the last holder's leases: it is gone
        lane.Attachment = this;
        return lane;
    }

    /// <summary>The lock word of the stripe a record names, if its table is still in use; else null.</summary>
    private ulong* RecordedStripe(BlobRecord* record)
    {
        ulong state = _directory.ReadState();
        int generation = record->Generation;
        if (generation < TableDirectory.OldestLive(state) || generation > TableDirectory.Generation(state))
        {
            return null;
        }
        BlobTable table = _layout.Table(generation);
        return (ulong)record->Stripe < (ulong)table.Stripes ? (ulong*)table.Stripe(record->Stripe) : null;
    }

    /// <summary>What a waiter for a stripe does with a holder proven dead: takes the lock over, finishes the writes left on it, releases.</summary>
    private void FinishDeadStripeOwner(ulong* word, ulong dead)
    {
        // Not CurrentLane: a lane being made ready recovers its own last holder's stripe through here.
        Lane me = _region.Lanes.Current;
        if (!RobustLock.TryTakeOver(me, word, dead))
        {
            return;
        }
        try
        {
            SettleStripe(me, word);
        }
        finally
        {
            RobustLock.Release(word, dead);
        }
    }

    /// <summary>
    /// Under the stripe's lock: finishes every write a lane's record names on it. While this lane holds the lock no live
    /// lane writes there, so each such record is the work of a holder that died (or lost the lock to a recoverer that
    /// died in turn): the stripe's last holder, or one before it. Records this lane stood in for are finished before the
    /// stand-ins are cleared, so that a class lock a dead stand-in held is settled from the right record.
    /// </summary>
    private void SettleStripe(Lane me, ulong* word)
    {
        if (!LocateStripe(word, out BlobTable? table, out long index))
        {
            return;
        }
        var mine = (BlobRecord*)me.UndoImage;
        if (BlobRecord.StepOf(mine) == BlobStep.Proxy && BlobRecord.Names(mine, table.Generation, index))
        {
            int stoodFor = (int)Math.Min(mine->Old, int.MaxValue);
            if (stoodFor < _region.Lanes.Count)
            {
                FinishInPlace(me, stoodFor, table, index);
            }
            BlobRecord.Enter(mine, BlobStep.None);
        }
        foreach (bool proxies in (ReadOnlySpan<bool>)[false, true])
        {
            for (int lane = 0; lane < _region.Lanes.Count; lane++)
            {
                BlobRecord* record = BlobHeap.RecordOf(_region.Lanes, lane);
                BlobStep step = BlobRecord.StepOf(record);
                if (step != BlobStep.None && (step == BlobStep.Proxy) == proxies && BlobRecord.Names(record, table.Generation, index))
                {
                    FinishInPlace(me, lane, table, index);
                }
            }
        }
        *table.Live(index) = CountLive(BlobTable.Cells(table.Stripe(index)));
    }

    /// <summary>The table (of this handle's view) and stripe a stripe lock word belongs to; false if none of the view's.</summary>
    private bool LocateStripe(ulong* word, [NotNullWhen(true)] out BlobTable? table, out long index)
    {
        long offset = _region.OffsetOf(word) - _region.OffsetOf(_window.Base);
        BlobView view = View();
        foreach (BlobTable candidate in view.Live)
        {
            long at = offset - _layout.TableOffset(candidate.Generation);
            if (at >= 0 && at < candidate.Stripes * BlobLayout.StripeStride && at % BlobLayout.StripeStride == 0)
            {
                table = candidate;
                index = at / BlobLayout.StripeStride;
                return true;
            }
        }
        table = null;
        index = 0;
        return false;
    }

    /// <summary>
    /// Under the stripe's lock: finishes the write lane <paramref name="lane"/>'s record names, in that record, with this
    /// lane standing in for it (a Proxy record) unless it is this lane's own. A write whose entry (or tombstone) is in
    /// the cell happened: its old block goes back. One whose entry is not there did not: the block it took goes back.
    /// </summary>
    private void FinishInPlace(Lane me, int lane, BlobTable table, long index)
    {
        BlobRecord* record = BlobHeap.RecordOf(_region.Lanes, lane);
        var mine = (BlobRecord*)me.UndoImage;
        BlobStep step = BlobRecord.StepOf(record);
        if (step == BlobStep.Proxy)
        {
            BlobRecord.Enter(record, BlobStep.None); // what it stood in for was finished first, by this walk
            return;
        }
        bool standIn = record != mine && !(BlobRecord.StepOf(mine) == BlobStep.Proxy && mine->Old == (ulong)lane);
        if (standIn)
        {
            if (BlobRecord.StepOf(mine) != BlobStep.None)
            {
                return; // this lane is busy with a write of its own: the stripe's next recoverer finishes it
            }
            mine->Generation = table.Generation;
            mine->Stripe = index;
            mine->Old = (ulong)lane;
            BlobRecord.Enter(mine, BlobStep.Proxy);
        }
        try
        {
            if (step is BlobStep.Carving or BlobStep.Taking or BlobStep.Returning)
            {
                _heap.Settle(me, record, record->Class);
                step = BlobRecord.StepOf(record);
            }
            if ((uint)record->Cell >= BlobLayout.CellsPerStripe)
            {
                ThrowHelper.ThrowCorrupt($"map '{Name}': lane {lane}'s record names cell {record->Cell} of a stripe of {BlobLayout.CellsPerStripe}");
            }
            ulong cell = SharedMemory.ReadAcquire(table.Cell(index, record->Cell));
            bool published = step is BlobStep.Published or BlobStep.Accounting or BlobStep.Accounted
                || (step is BlobStep.Writing or BlobStep.Taken && record->New != BlobEntry.Empty && cell == record->New);
            if (published && step == BlobStep.Accounting)
            {
                _budget.Settle(me, record); // the budget lock's recoverer sets the live bytes the record was moving
            }
            else if (published && step != BlobStep.Accounted)
            {
                _budget.Account(me, record);
            }
            if (published && BlobEntry.IsBlock(record->Old))
            {
                _heap.Return(me, record, BlobEntry.Offset(record->Old), BlobEntry.Class(record->Old), BlobStep.None);
            }
            else if (!published && step == BlobStep.Taken)
            {
                _heap.Return(me, record, record->Block, record->Class, BlobStep.None);
            }
            else
            {
                BlobRecord.Enter(record, BlobStep.None);
            }
        }
        finally
        {
            if (standIn)
            {
                BlobRecord.Enter(mine, BlobStep.None);
            }
        }
    }
}
