using System.Runtime.Intrinsics.X86;
using ShmMaps.Folklore;

namespace ShmMaps;

/// <summary>How a <see cref="FolkloreMap{TValue}"/> grows while every process keeps using it, without a lock.</summary>
/// <remarks>
/// <para>
/// An add that finds the newest table's key slots used (or its cells taken) reserves the next table (twice the cells,
/// twice the key slots, one more key bit per entry) and publishes (g, steady) -> (g+1, migrating) by CAS
/// (<see cref="TableDirectory"/>). From then on every write first makes sure its key's block of home cells in the old
/// table has been moved, then moves one more, and writes only in the new table. A block is moved by freezing, one CAS
/// each, every cell from its first to the first empty cell past its end (the keys whose home is in the block lie
/// there, linear probing leaving no gap), then adding each frozen key of the block to the new table unless a cell
/// there names its key slot already, then setting the block's moved flag. Movers need no lock: freezing is idempotent,
/// a frozen entry never changes, and adding by key slot meets at one cell; a mover killed anywhere leaves the flag
/// clear, and the next one moves the block again.
/// </para>
/// <para>
/// No write lands in a table after its entries were frozen: every write is a CAS on an entry, and a CAS that meets a
/// frozen entry fails; the writer then looks at the state word again and writes in the newest table, after helping.
/// Lookups take no lock and never wait: while migrating, a key whose old block is not moved is read in the old table
/// (a frozen entry is the key's value: no one writes it in the new table before its block is moved), else in the new
/// one. When every flag is set, a writer publishes (g+1, steady); the old table is given back once no live handle
/// reads it (<see cref="TableRetirement"/>). Key slots never move.
/// </para>
/// </remarks>
public sealed unsafe partial class FolkloreMap<TValue>
{
    /// <summary>The generation writes go to now.</summary>
    internal int Generation => View().Newest.Generation;

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FolkloreView View() => _views.Current();

    /// <summary>The table a write of a key of <paramref name="hash"/> goes to: the newest, after moving the key's old block during a migration.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FolkloreTable WriteTable(ulong hash)
    {
        ThrowIfDisposed();
        FolkloreView view = View();
        if (view.Older is not null)
        {
            Help(view, hash);
        }
        _retirement.AfterWrite(view.State);
        return view.Newest;
    }

    /// <summary>Looks a key up while its table is being copied into the next one.</summary>
    private long ProbeMigrating<TMatch>(FolkloreView view, scoped in TMatch key, ulong hash, out ulong entry)
        where TMatch : IKeyMatch, allows ref struct
    {
        FolkloreTable older = view.Older!;
        ulong* moved = older.MovedFlag(older.UnitOf(hash));
        if (SharedMemory.ReadAcquire(moved) == 0)
        {
            long cell = Probe(older, key, hash, out entry);
            // Found: the key's value (no one writes it in the new table before its block is moved). Absent while the
            // block was not moved: absent from the map (no key of an unmoved block is in the new table).
            if (cell >= 0 || SharedMemory.ReadAcquire(moved) == 0)
            {
                return cell;
            }
        }
        return Probe(view.Newest, key, hash, out entry);
    }

    /// <summary>A writer's share of a migration: the old block of its key, then one more.</summary>
    private void Help(FolkloreView view, ulong hash)
    {
        FolkloreTable older = view.Older!;
        _migration.Help(view, older.BlockOf((long)(hash & (ulong)older.Mask)));
    }

    /// <summary>How many frozen keys a mover collects before it reads their key slots (whose loads it starts together).</summary>
    private const int MoveBatch = 32;

    /// <summary>
    /// Freezes the cells of block <paramref name="block"/> of <paramref name="older"/> (up to the first empty cell past
    /// its end), adds the keys whose home is in the block to <paramref name="newer"/>, then sets the block's moved flag;
    /// nothing if it is set already.
    /// </summary>
    [SkipLocalsInit]
    private void MoveBlock(FolkloreTable older, FolkloreTable newer, long block)
    {
        ulong* moved = older.Moved + block;
        if (SharedMemory.ReadAcquire(moved) != 0)
        {
            return;
        }
        long blockCells = 1L << older.BlockShift;
        long first = block << older.BlockShift;
        Span<long> cells = stackalloc long[MoveBatch];
        Span<ulong> entries = stackalloc ulong[MoveBatch];
        int collected = 0;
        for (long offset = 0; offset < older.Cells; offset++)
        {
            long cell = (first + offset) & older.Mask;
            ulong entry = Freeze(older, cell);
            if (older.IsEmpty(entry))
            {
                if (offset >= blockCells)
                {
                    break; // the first empty cell past the block: no key of the block lies beyond it
                }
                continue;
            }
            cells[collected] = cell;
            entries[collected] = entry;
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(older.NamedSlot(entry, cell)); // its hash is read below, with the batch's others in flight
            }
            if (++collected == MoveBatch)
            {
                AddMovedBatch(older, newer, block, cells, entries);
                collected = 0;
            }
        }
        AddMovedBatch(older, newer, block, cells[..collected], entries[..collected]);
        // Publishes the copies: whoever sees the flag finds every key of the block in the new table.
        SharedMemory.WriteRelease(moved, 1);
    }

    /// <summary>
    /// Adds the frozen keys of <paramref name="entries"/> (in <paramref name="cells"/>) whose home is in <paramref name="block"/>
    /// to <paramref name="newer"/>: first reads their hashes and starts loading each one's home in the new table, then
    /// adds them, so that the adds' memory reads overlap instead of following each other.
    /// </summary>
    [SkipLocalsInit]
    private void AddMovedBatch(FolkloreTable older, FolkloreTable newer, long block, ReadOnlySpan<long> cells, ReadOnlySpan<ulong> entries)
    {
        Span<ulong> hashes = stackalloc ulong[MoveBatch];
        Span<ulong> moving = stackalloc ulong[MoveBatch];
        Span<nint> sources = stackalloc nint[MoveBatch];
        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            KeySlot* s = older.NamedSlot(entries[i], cells[i]);
            if (s is null)
            {
                continue; // a damaged entry (check reports it)
            }
            ulong hash = s->Hash;
            if (older.BlockOf((long)(hash & (ulong)older.Mask)) != block)
            {
                continue; // a key of the block before: its mover copies it
            }
            if (Sse.IsSupported)
            {
                long home = (long)(hash & (ulong)newer.Mask);
                Sse.Prefetch0(newer.Entries + (home * newer.EntryBytes));
                if (newer.HasCellSlots)
                {
                    Sse.Prefetch0(newer.CellSlots + home);
                }
            }
            hashes[count] = hash;
            sources[count] = (nint)s;
            moving[count++] = entries[i];
        }
        if (IsAbandoned(older))
        {
            return; // the migration ended while this mover was away (the slots it read may be zeros): the block is moved
        }
        ulong flags = older.FrozenBit | older.CopiedBit;
        for (int j = 0; j < count; j++)
        {
            AddMoved(older, newer, older.KeyIndex(moving[j]), (KeySlot*)sources[j], hashes[j], moving[j] & ~flags);
        }
    }

    /// <summary>Sets the frozen bit of <paramref name="cell"/> (idempotent, one atomic OR); returns its entry, frozen.</summary>
    private static ulong Freeze(FolkloreTable table, long cell) => Unsafe.SizeOf<TValue>() == 2
        ? SharedMemory.Or((uint*)table.Entries + cell, (uint)table.FrozenBit) | table.FrozenBit
        : SharedMemory.Or((ulong*)table.Entries + cell, table.FrozenBit) | table.FrozenBit;

    /// <summary>
    /// Adds a moved key of <paramref name="older"/> (<paramref name="entry"/>: its old entry without flags; <paramref name="source"/>:
    /// the slot the old entry named, read from beside its cell where the old table copied it) to <paramref name="table"/> with its
    /// value and removed flag, unless a cell there names its key slot already (another mover of the block got there first).
    /// </summary>
    private void AddMoved(FolkloreTable older, FolkloreTable table, long slot, KeySlot* source, ulong hash, ulong entry)
    {
        ulong mine = FolkloreEntry.Pack(slot, FolkloreEntry.Tag(hash, ValueBits, table.TagMask), FolkloreEntry.Value(entry, ValueBits), ValueBits);
        mine = FolkloreEntry.IsRemoved(entry, ValueBits) ? FolkloreEntry.Removed(mine, ValueBits) : mine;
        long cell = (long)(hash & (ulong)table.Mask);
        for (long probed = 0; probed <= table.Mask;)
        {
            ulong found = ReadEntry(table, cell);
            if (found == 0)
            {
                found = CompareExchangeEntry(table, cell, mine, 0);
                if (found == 0)
                {
                    CopyBesideCell(table, cell, source, mine, older, slot);
                    return;
                }
                continue; // filled meanwhile: look at it again
            }
            if (table.IsEmpty(found) || table.KeyIndex(found) == slot)
            {
                return; // here already; or a later migration froze this table, which needs this block moved first
            }
            probed++;
            cell = (cell + 1) & table.Mask;
        }
    }

    /// <summary>
    /// An add found the key slots or the cells of <paramref name="table"/> used: finishes a migration in progress, or
    /// starts the next table, so that the add can be tried again; <see cref="MapFullException"/> if the map is at its
    /// largest table (or the file system has no memory for the next one).
    /// </summary>
    private void GrowForAdd(FolkloreTable table, string why)
    {
        FolkloreView view = View();
        if (view.Newest.Generation != table.Generation)
        {
            return; // grown meanwhile: try the newest table
        }
        if (view.Older is not null)
        {
            _migration.Finish(view);
            return;
        }
        // Key slots are handed out only below the newest table's limit: more in use is a damaged allocation word, which
        // must not grow the map (each growth would double the file for nothing). Unless another process grew the map
        // since the view was read: a slot past this table's limit is handed out only after the state word names a
        // larger table, so the state read after the count shows it.
        if (_keys.SlotsUsed > table.SlotLimit)
        {
            if (_directory.ReadState() != view.State)
            {
                return; // grown meanwhile: try the newest table
            }
            ThrowHelper.ThrowCorrupt($"map '{Name}': its key store has handed out {_keys.SlotsUsed:N0} key slots, past the {table.SlotLimit:N0} its newest table may name");
        }
        if (!_migration.TryGrow(view, full: true))
        {
            ThrowHelper.ThrowMapFull(
                $"map '{Name}' is full: {why} of its largest table; create it with a larger {(_layout.Grows ? "ShmOptions.MaxCapacity" : "capacity")}");
        }
    }

    /// <summary>The keys present in the tables <paramref name="view"/> names: each counted where it is the map's.</summary>
    private static long CountPresent(FolkloreView view) => view.CountPresent();

    /// <summary>How a FolkloreMap's migration moves its units: blocks of home cells, without a lock (<see cref="MoveBlock"/>).</summary>
    private sealed class Migration(FolkloreMap<TValue> map) : TableMigration<FolkloreView, FolkloreTable>(map._directory)
    {
        protected override int Tables => map._layout.Tables;

        public override FolkloreView Current() => map.View();

        protected override void Reserve(int generation) => map._layout.Reserve(generation);

        protected override bool Move(FolkloreView view, long unit, bool wait)
        {
            map.MoveBlock(view.Older!, view.Newest, unit); // lock-free: nothing to wait for
            return true;
        }
    }
}
