namespace ShmMaps.Core.Registry;

/// <summary>
/// Every open handle of a map, one byte each in the header: the oldest part of the map the handle may still read,
/// so that nothing is given back to the file system while a live handle may read it.
/// </summary>
/// <remarks>
/// <code>
/// byte  0              free: no handle, or one that closed
///       1 .. 254       the handle reads nothing older than generation (byte - 1) (the map kind's tables)
///       255            opening: the handle has not said yet (it may read anything)
/// </code>
/// A handle holds the kernel byte lock at <see cref="LockBase"/> + its slot while it is open; the kernel drops it
/// when the process dies, so a slot whose lock is free belongs to no one, whatever its byte says. A claimer locks
/// first and then writes its byte, so a sweeper that found the lock free and frees a dead handle's byte can only
/// free it before the claimer's write (the CAS from the dead value fails after).
/// </remarks>
internal sealed unsafe class HandleRegistry : IDisposable
{
    /// <summary>The file offset of slot 0's liveness byte lock (past every file; below the lanes' locks).</summary>
    public const long LockBase = 1L << 61;

    /// <summary>The header offset of the first slot byte.</summary>
    public const int Offset = 2048;

    /// <summary>How many handles a map can have open at once, over all processes.</summary>
    public const int Count = MapHeader.Size - Offset;

    /// <summary>The byte of a handle that has not said what it reads.</summary>
    public const byte Opening = 255;

    /// <summary>The newest generation a byte can name.</summary>
    public const int MaxGeneration = 253;

    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private readonly byte* _slots;
    private readonly int _own;

    /// <summary>Claims a slot of the registry at <paramref name="slots"/> for a new handle; <see cref="ShmMapException"/> if all are held.</summary>
    public HandleRegistry(IShmPlatform platform, MapFileHandle file, byte* slots, string mapName)
    {
        _platform = platform;
        _file = file;
        _slots = slots;
        _own = LivenessLocks.LockFirstFree(platform, file, LockBase, Count, static _ => false);
        if (_own < 0)
        {
            throw new ShmMapException($"map '{mapName}' is open {Count:N0} times at once by live processes, the most a map allows; close some handles");
        }
        // Release: from here on a giver back sees this handle as one that may read anything.
        Volatile.Write(ref _slots[_own], Opening);
    }

    /// <summary>This handle's slot.</summary>
    public int Slot => _own;

    /// <summary>Says that this handle reads nothing older than generation <paramref name="generation"/> from now on.</summary>
    public void Reads(int generation)
    {
        // Release: the caller made what is older unreadable here first.
        Volatile.Write(ref _slots[_own], (byte)(Math.Clamp(generation, 0, MaxGeneration) + 1));
    }

    /// <summary>
    /// Whether every live handle but this one reads nothing older than <paramref name="generation"/>; frees the
    /// slots of handles whose process died on the way.
    /// </summary>
    public bool AllRead(int generation)
    {
        for (int i = 0; i < Count; i++)
        {
            byte seen = Volatile.Read(ref _slots[i]); // acquire: pairs with the release in Reads
            if (seen == 0 || i == _own || (seen != Opening && seen - 1 >= generation))
            {
                continue;
            }
            if (_platform.IsByteLockedByOther(_file, LockBase + i))
            {
                return false;
            }
            Interlocked.CompareExchange(ref _slots[i], 0, seen); // the holder died: its slot is free
        }
        return true;
    }

    /// <summary>The slots of live handles and what each reads (null: has not said), for <c>shm info</c>.</summary>
    public IReadOnlyList<(int Slot, int? OldestRead)> Live()
    {
        var live = new List<(int, int?)>();
        for (int i = 0; i < Count; i++)
        {
            byte seen = Volatile.Read(ref _slots[i]);
            if (seen != 0 && (i == _own || _platform.IsByteLockedByOther(_file, LockBase + i)))
            {
                live.Add((i, seen == Opening ? null : seen - 1));
            }
        }
        return live;
    }

    /// <summary>Frees this handle's slot.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _slots[_own], (byte)0);
        _platform.UnlockByte(_file, LockBase + _own);
    }
}
