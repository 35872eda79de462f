using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>How a <see cref="BlobMap"/>'s index grows while every process keeps using it.</summary>
/// <remarks>
/// The protocol of a StripedMap (see StripedMap.Growth.cs), on entries: a write whose key's stripe has no free cell
/// carves a table of twice the stripes from the heap (its place in the control region first, then the frontier past it)
/// and publishes the migration; every write then moves its key's old stripe, and one more, before it locks the new one.
/// A move copies the old stripe's entries (the blocks stay) into new stripes s and s + the old count by the hash bits each
/// block keeps, under the old stripe's lock, then sets its moved flag; a mover killed midway leaves the flag clear, and the
/// next mover copies again, passing the entries already there. Old tables are given back once no handle reads them.
/// </remarks>
public sealed unsafe partial class BlobMap
{
    /// <summary>
    /// Copies stripe <paramref name="index"/> of <paramref name="older"/> into its two stripes of <paramref name="newer"/>,
    /// then sets its moved flag; nothing if it is set already. Without <paramref name="wait"/>, false (nothing done) if a
    /// live writer holds the stripe.
    /// </summary>
    private bool MoveStripe(BlobTable older, BlobTable newer, long index, bool wait)
    {
        ulong* moved = older.MovedFlag(index);
        if (SharedMemory.ReadAcquire(moved) != 0)
        {
            return true;
        }
        Lane lane = CurrentLane();
        BlobRecord* record = (BlobRecord*)lane.UndoImage;
        ulong* word = (ulong*)older.Stripe(index);
        ulong lockedFrom;
        if (wait)
        {
            lockedFrom = RobustLock.Acquire(_region.Lanes, lane, word, _finishDeadStripeOwner);
        }
        else if (!RobustLock.TryAcquire(_region.Lanes, lane, word, _finishDeadStripeOwner, out lockedFrom))
        {
            return false;
        }
        try
        {
            if (SharedMemory.ReadAcquire(moved) != 0)
            {
                return true;
            }
            record->Generation = older.Generation;
            record->Stripe = index;
            BlobRecord.Enter(record, BlobStep.Moving);
            ulong* cells = BlobTable.Cells((byte*)word);
            for (int i = 0; i < BlobLayout.CellsPerStripe; i++)
            {
                ulong entry = cells[i];
                if (!BlobEntry.IsBlock(entry))
                {
                    continue;
                }
                uint hash = BlobBlock.Hash(BlockOf(entry, out _));
                long target = newer.StripeIndexOf(hash);
                if (target != index && target != index + older.Stripes)
                {
                    ThrowHelper.ThrowCorrupt($"map '{Name}': stripe {index} of table {older.Generation} holds a block whose hash belongs to stripe {hash & (ulong)older.StripeMask}");
                }
                int placed = Place(BlobTable.Cells(newer.Stripe(target)), hash, entry);
                if (placed >= 0 && BlobBudget.IsReferenced((byte*)word, i))
                {
                    BlobBudget.Touch(BlobTable.Cells(newer.Stripe(target)), placed); // the eviction hand finds it read, as in the old table
                }
            }
            *newer.Live(index) = CountLive(BlobTable.Cells(newer.Stripe(index)));
            *newer.Live(index + older.Stripes) = CountLive(BlobTable.Cells(newer.Stripe(index + older.Stripes)));
            // Publishes the copies: whoever sees the flag finds every entry of the stripe in the new table.
            SharedMemory.WriteRelease(moved, 1);
            BlobRecord.Enter(record, BlobStep.None);
            return true;
        }
        finally
        {
            RobustLock.Release(word, lockedFrom);
        }
    }

    /// <summary>
    /// Puts a copied entry in the first empty cell of its probe in a new stripe only its mover writes until the old stripe
    /// is moved (it has room: it receives at most the old stripe's entries), unless a mover killed before it put it there;
    /// returns its cell.
    /// </summary>
    private static int Place(ulong* cells, uint hash, ulong entry)
    {
        int home = BlobTable.HomeOf(hash);
        for (int i = 0; i < BlobLayout.CellsPerStripe; i++)
        {
            int at = (home + i) & (BlobLayout.CellsPerStripe - 1);
            ulong* cell = cells + at;
            if (*cell == entry)
            {
                return at;
            }
            if (*cell == BlobEntry.Empty)
            {
                // Release: readers of the new stripe come after the moved flag; a plain store would do, this one documents it.
                SharedMemory.WriteRelease(cell, entry);
                return at;
            }
        }
        return -1;
    }

    /// <summary>The entries of a stripe's cells that name a block.</summary>
    private static long CountLive(ulong* cells)
    {
        long live = 0;
        for (int i = 0; i < BlobLayout.CellsPerStripe; i++)
        {
            live += BlobEntry.IsBlock(SharedMemory.ReadAcquire(cells + i)) ? 1 : 0;
        }
        return live;
    }

    /// <summary>
    /// A write found its key's stripe full in <paramref name="view"/>'s newest table: finishes a migration in progress, or
    /// starts the next table; <see cref="MapFullException"/> if the map is at its largest table or has no memory for it.
    /// </summary>
    private void GrowForFullStripe(BlobView view, ReadOnlySpan<byte> key)
    {
        if (view.Older is not null)
        {
            _migration.Finish(view);
            return;
        }
        if (View().State != view.State)
        {
            return;
        }
        long cells = view.Newest.Stripes * BlobLayout.CellsPerStripe;
        if (Count < cells / 8)
        {
            // A stripe full while the table is nearly empty: keys that all hash alike (a damaged file, or keys made to
            // collide). Doubling would not part them; each growth would double the index for nothing.
            ThrowHelper.ThrowMapFull($"map '{Name}': the stripe of key '{KeyText(key)}' has all its {BlobLayout.CellsPerStripe} cells in use while the " +
                $"index holds {Count:N0} keys in {cells:N0} cells: keys that hash alike (or a damaged file); the map does not grow for them");
        }
        if (!_migration.TryGrow(view, full: true))
        {
            ThrowHelper.ThrowMapFull($"map '{Name}': the stripe of key '{KeyText(key)}' has all its {BlobLayout.CellsPerStripe} cells in use and the index is at its largest table ({view.Newest.Stripes:N0} stripes)");
        }
    }

    /// <summary>How a BlobMap's migration moves its units: stripes, each under its own lock (<see cref="MoveStripe"/>).</summary>
    private sealed class Migration(BlobMap map) : TableMigration<BlobView, BlobTable>(map._directory)
    {
        protected override int Tables => map._layout.Tables;

        public override BlobView Current() => map.View();

        protected override void Reserve(int generation)
        {
            long stripes = map._layout.FirstStripes << generation;
            map._heap.AdvanceForTable(map.CurrentLane(), map._layout.Control.TableOffset(generation), BlobLayout.TableBytes(stripes),
                $"table {generation} of the index ({stripes:N0} stripes)");
        }

        protected override bool Move(BlobView view, long unit, bool wait) => map.MoveStripe(view.Older!, view.Newest, unit, wait);
    }
}
