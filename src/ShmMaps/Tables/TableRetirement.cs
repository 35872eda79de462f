using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;

namespace ShmMaps.Tables;

/// <summary>
/// Gives back, in one process, the memory of the tables a growing map has grown out of: by the first writer or opener
/// <see cref="TableDirectory.RetireGrace"/> after the migration out of them ended, one process claiming each giving back.
/// </summary>
/// <param name="name">The map's name, for errors.</param>
/// <param name="directory">The map's directory.</param>
/// <param name="release">Gives back tables [from, below) (idempotent).</param>
internal sealed unsafe class TableRetirement(string name, TableDirectory directory, Action<int, int> release)
{
    /// <summary>The generation below which this process knows the tables are given back.</summary>
    private int _retiredKnown;

    /// <summary>When this process may next look whether an old table can be given back (<see cref="Environment.TickCount64"/>).</summary>
    private long _nextLook;

    /// <summary>
    /// An opener gives back again what the directory says was given back (a giver may have been killed before it
    /// punched), then what has waited out its grace; <see cref="CorruptMapException"/> if the directory says a table in use was given back.
    /// </summary>
    public void OnOpen(ulong state)
    {
        long retired = SharedMemory.ReadAcquire(directory.RetiredBelow);
        int oldestLive = TableDirectory.OldestLive(state);
        if (retired < 0 || retired > oldestLive)
        {
            ThrowHelper.ThrowCorrupt($"map '{name}': its directory says tables below {retired} were given back, but table {oldestLive} is in use");
        }
        release(0, (int)retired);
        _retiredKnown = (int)retired;
        AfterWrite(state);
    }

    /// <summary>After a write under <paramref name="state"/>: gives back the tables below it once their grace has passed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AfterWrite(ulong state)
    {
        if (TableDirectory.Generation(state) > _retiredKnown)
        {
            Look(state);
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
        long since = SharedMemory.ReadAcquire(directory.SteadySince);
        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - since < (long)TableDirectory.RetireGrace.TotalMilliseconds)
        {
            return;
        }
        // Claims the giving back (one process does it); a process killed before it punched left memory an opener frees.
        if (Interlocked.CompareExchange(ref *directory.RetiredBelow, generation, retired) == retired)
        {
            release((int)retired, generation);
        }
    }
}
