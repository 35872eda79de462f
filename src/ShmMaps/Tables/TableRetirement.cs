namespace ShmMaps.Tables;

/// <summary>
/// The tables a growing map has grown out of: this handle stops reading them, says so in the handle registry, and
/// gives their memory back once every live handle has said so.
/// </summary>
/// <remarks>
/// <para>
/// A table is given back (its pages punched) only when no live handle of any process can read it: on tmpfs a read
/// of a hole allocates a page, and on a full file system that is SIGBUS. So each handle, when its view of the map
/// moves past a table (the migration out of it ended), first makes the table's pages read as zeros in its own
/// mappings (<see cref="MapRegion.Abandon"/>: a thread still on the old view then reads zeros, which every lookup
/// takes for "not here, look again"), and then says in its registry byte that it reads nothing older. A writer gives
/// the tables back when every live handle's byte is past them (a dead process's byte does not count). A handle that
/// does nothing keeps what it may read: its tables wait for its next access.
/// </para>
/// <para>
/// An enumeration pins the table it walks (<see cref="Pin"/>): this handle keeps reading it until the walk ends.
/// </para>
/// </remarks>
/// <param name="region">The map's region.</param>
/// <param name="directory">The map's table directory.</param>
/// <param name="rangesOf">The bytes of table g that are given back (its cells and their like: not what outlives it).</param>
internal sealed unsafe class TableRetirement(MapRegion region, TableDirectory directory, Func<int, IEnumerable<RegionRange>> rangesOf)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, int> _pins = [];

    /// <summary>Tables below this generation read as zeros in this handle, or are about to (written under the gate, read without).</summary>
    private int _readsFrom;

    /// <summary>The generation below which this handle knows the tables are given back.</summary>
    private int _retiredKnown;

    /// <summary>When this handle may next look whether old tables can be given back (<see cref="Environment.TickCount64"/>).</summary>
    private long _nextLook;

    /// <summary>
    /// Tables below this generation may read as zeros in this handle: a write that succeeded in one landed in this
    /// process's own memory, not the map's (acquire: pairs with the exchange that says it, before the pages change).
    /// </summary>
    public int ReadsFrom => Volatile.Read(ref _readsFrom);

    /// <summary>
    /// An opener gives back again what the directory says was given back (a giver may have been killed before it
    /// punched), moves its view to <paramref name="state"/>, and gives back what no handle reads any more;
    /// <see cref="CorruptMapException"/> if the directory says a table in use was given back.
    /// </summary>
    public void OnOpen(ulong state)
    {
        long retired = SharedMemory.ReadAcquire(directory.RetiredBelow);
        int oldestLive = TableDirectory.OldestLive(state);
        if (retired < 0 || retired > oldestLive)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': its directory says tables below {retired} were given back, but table {oldestLive} is in use");
        }
        OnView(state);
        Release(0, (int)retired);
        _retiredKnown = (int)retired;
        AfterWrite(state);
    }

    /// <summary>This handle's view moved to <paramref name="state"/>: the tables older than it names are read no more here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnView(ulong state)
    {
        if (TableDirectory.OldestLive(state) > Volatile.Read(ref _readsFrom))
        {
            MoveOn(TableDirectory.OldestLive(state));
        }
    }

    /// <summary>After a write under <paramref name="state"/>: gives back the tables below it once no live handle reads them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AfterWrite(ulong state)
    {
        if (TableDirectory.Generation(state) > _retiredKnown)
        {
            Look(state);
        }
    }

    /// <summary>
    /// Keeps table <paramref name="generation"/> readable in this handle until <see cref="Unpin"/> (an enumeration's);
    /// <see cref="InvalidOperationException"/> if this handle already stopped reading it.
    /// </summary>
    public void Pin(int generation)
    {
        lock (_gate)
        {
            if (generation < _readsFrom)
            {
                throw new InvalidOperationException($"map '{region.Name}' grew during this enumeration past the table it walked; enumerate it again");
            }
            _pins[generation] = _pins.GetValueOrDefault(generation) + 1;
        }
    }

    /// <summary>Ends a <see cref="Pin"/>; the handle moves on if its view has.</summary>
    public void Unpin(int generation)
    {
        lock (_gate)
        {
            if (_pins.TryGetValue(generation, out int count))
            {
                if (count > 1)
                {
                    _pins[generation] = count - 1;
                }
                else
                {
                    _pins.Remove(generation);
                }
            }
        }
        if (!region.IsDisposed)
        {
            OnView(directory.ReadState());
        }
    }

    /// <summary>Makes tables below <paramref name="oldestLive"/> (and below every pinned one) read as zeros here, then says so.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MoveOn(int oldestLive)
    {
        lock (_gate)
        {
            int target = _pins.Count == 0 ? oldestLive : Math.Min(oldestLive, _pins.Keys.Min());
            if (target <= _readsFrom || region.IsDisposed)
            {
                return;
            }
            int from = _readsFrom;
            // Said before the pages turn to zeros, with a full fence: a writer whose CAS lands in a zero page (it
            // succeeds there, in this process's own memory) reads the new value when it checks after (FolkloreMap).
            Interlocked.Exchange(ref _readsFrom, target);
            for (int g = from; g < target; g++)
            {
                foreach (RegionRange range in rangesOf(g))
                {
                    region.Abandon(range.Region, range.Start, range.Length);
                }
            }
            region.Handles.Reads(target);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Look(ulong state)
    {
        int generation = TableDirectory.Generation(state);
        if (TableDirectory.IsMigrating(state) || Environment.TickCount64 < _nextLook)
        {
            return;
        }
        _nextLook = Environment.TickCount64 + 100;
        long retired = SharedMemory.ReadAcquire(directory.RetiredBelow);
        if (retired >= generation)
        {
            _retiredKnown = generation;
            return;
        }
        OnView(state);
        if (_readsFrom < generation || !region.Handles.AllRead(generation))
        {
            return; // a handle (maybe this one's enumeration) may still read an old table
        }
        // Claims the giving back (one process does it); a process killed before it punched left memory an opener frees.
        if (Interlocked.CompareExchange(ref *directory.RetiredBelow, generation, retired) == retired)
        {
            Release((int)retired, generation);
            _retiredKnown = generation;
        }
    }

    /// <summary>
    /// For <c>shm info</c>: which tables were given back, and which wait for handles that may still read them (the
    /// inspecting handle, <paramref name="region"/>'s own, not counted).
    /// </summary>
    public static void Describe(MapRegion region, TableDirectory directory, IDictionary<string, string> details)
    {
        long retired = SharedMemory.ReadAcquire(directory.RetiredBelow);
        if (retired > 0)
        {
            details["tables given back"] = $"below generation {retired}{(region.KeepsMemory ? " (the file system refused the memory: the file keeps it)" : "")}";
        }
        int oldestLive = TableDirectory.OldestLive(directory.ReadState());
        if (retired < oldestLive)
        {
            int behind = region.Handles.Live().Count(h => h.Slot != region.Handles.Slot && (h.OldestRead ?? -1) < oldestLive);
            details["tables to give back"] = behind == 0
                ? $"below generation {oldestLive}, at the next write"
                : $"below generation {oldestLive}, once {behind} handle(s) that may still read them access the map again or close";
        }
    }

    private void Release(int from, int below)
    {
        for (int g = Math.Max(from, 0); g < below; g++)
        {
            foreach (RegionRange range in rangesOf(g))
            {
                region.Release(range.Region, range.Start, range.Length);
            }
        }
    }
}
