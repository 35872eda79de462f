namespace ShmMaps.Core.Region;

/// <summary>
/// The addresses one handle gives its map file: a mapping of the file from its start whose reservation runs past the
/// file's end, so that the file grows into it, and a larger one, elsewhere, once the file outgrows that.
/// </summary>
/// <remarks>
/// <para>
/// A file's length follows what its map uses; the room to grow is address space, reserved by mapping more than the
/// file holds (<see cref="ReachFor"/>: a few times the file, bounded, so that one process can hold thousands of maps
/// open). Bytes past the file's end are never touched: a pointer is handed out only for bytes known to be in the file
/// (the length last read from the kernel), and a larger offset first reads the length again.
/// </para>
/// <para>
/// A file that outgrows its reservation is mapped again, whole, at a new address, at the next access that needs the
/// new bytes (never a stop of the other threads or processes). Earlier mappings stay until <see cref="Dispose"/>, so a
/// pointer handed out once stays valid for the handle's life, and <see cref="OffsetOf"/> finds the offset of a pointer
/// into any of them. Ranges given up (<see cref="Abandon"/>) read as zeros in every mapping, past and future.
/// </para>
/// </remarks>
internal sealed unsafe class MapAddressSpace : IDisposable
{
    /// <summary>The least address space a growing file is given.</summary>
    public const long MinimumReach = 4L << 20;

    /// <summary>Reservations are whole multiples of this (a huge page).</summary>
    public const long ReachUnit = 2L << 20;

    private readonly IShmPlatform _platform;
    private readonly MapFileHandle _file;
    private readonly string _path;
    private readonly bool _grows;
    private readonly Lock _gate = new();
    private readonly List<Mapping> _mappings = [];
    private readonly List<(long Offset, long Length)> _abandoned = [];
    private View _current;

    /// <summary>Maps <paramref name="fileLength"/> bytes of <paramref name="file"/>, with room to grow if <paramref name="grows"/>.</summary>
    public MapAddressSpace(IShmPlatform platform, MapFileHandle file, string path, long fileLength, bool grows)
    {
        _platform = platform;
        _file = file;
        _path = path;
        _grows = grows;
        var first = new Mapping(platform.Map(file, Reach(fileLength)), Reach(fileLength));
        _mappings.Add(first);
        _current = new View(first, fileLength, null);
    }

    /// <summary>The newest mapping's first byte and the bytes of the file known to it.</summary>
    public SharedMemory Current
    {
        get
        {
            View view = _current;
            return new SharedMemory(view.Base, view.Known);
        }
    }

    /// <summary>The bytes of the file this handle knows of (the file only grows).</summary>
    public long KnownLength => _current.Known;

    /// <summary>How many times the file has been mapped (for <c>shm info</c> and tests).</summary>
    public int MappingCount
    {
        get
        {
            lock (_gate)
            {
                return _mappings.Count;
            }
        }
    }

    /// <summary>The address space this handle has reserved for the file, over all its mappings.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_gate)
            {
                return _mappings.Sum(m => m.Reserved);
            }
        }
    }

    /// <summary>
    /// The address space a growing file of <paramref name="length"/> bytes is given: four times the file, at least
    /// <see cref="MinimumReach"/>, in whole <see cref="ReachUnit"/>s.
    /// </summary>
    public static long ReachFor(long length)
    {
        long wanted = Math.Max(MinimumReach, length > long.MaxValue / 8 ? length : length * 4);
        return checked((wanted + ReachUnit - 1) / ReachUnit * ReachUnit);
    }

    /// <summary>
    /// A pointer to <paramref name="size"/> bytes at file offset <paramref name="offset"/>, after the bounds and
    /// alignment check; maps the file again if it grew past this handle's reservation. <see cref="CorruptMapException"/>
    /// for bytes past the file's end or misaligned.
    /// </summary>
    public byte* Pointer(long offset, long size, int alignment = 1)
    {
        View view = _current;
        if (offset < 0 || size < 0 || offset > view.Known || size > view.Known - offset || offset % alignment != 0)
        {
            view = Cover(offset, size, alignment);
        }
        return view.Base + offset;
    }

    /// <summary>The file offset of <paramref name="pointer"/>, a pointer into any of this handle's mappings.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long OffsetOf(void* pointer)
    {
        View view = _current;
        long offset = (byte*)pointer - view.Base;
        return (ulong)offset < (ulong)view.Known ? offset : OffsetInEarlier(pointer);
    }

    /// <summary>
    /// Gives up the file's whole pages inside <c>[offset, offset + length)</c> in every mapping of this handle: from
    /// now on they read as zeros and are never touched in the file again (the caller is about to let them be given
    /// back, or another process may have).
    /// </summary>
    public void Abandon(long offset, long length)
    {
        long page = Environment.SystemPageSize;
        long start = (offset + page - 1) / page * page;
        long end = (offset + length) / page * page;
        if (end <= start)
        {
            return;
        }
        lock (_gate)
        {
            _abandoned.Add((start, end - start));
            foreach (Mapping mapping in _mappings)
            {
                ZeroIn(mapping, start, end - start);
            }
        }
    }

    /// <summary>Unmaps every mapping. No pointer handed out may be used after.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (Mapping mapping in _mappings)
            {
                _platform.Unmap(mapping.Base, mapping.Reserved);
            }
            _mappings.Clear();
        }
    }

    private long Reach(long fileLength) => _grows ? ReachFor(fileLength) : fileLength;

    /// <summary>Reads the file's length again and maps what it needs: the view in which <c>[offset, +size)</c> lies.</summary>
    private View Cover(long offset, long size, int alignment)
    {
        if (offset < 0 || size < 0 || offset > long.MaxValue - size || offset % alignment != 0)
        {
            ThrowOutside(offset, size, alignment, _current.Known);
        }
        lock (_gate)
        {
            View view = _current;
            if (offset + size <= view.Known)
            {
                return view;
            }
            long fileLength = _platform.Stat(_file).Length;
            if (offset + size > fileLength || !_grows)
            {
                ThrowOutside(offset, size, alignment, fileLength);
            }
            Mapping mapping = view.Mapping;
            if (fileLength > mapping.Reserved)
            {
                long reach = Reach(fileLength);
                mapping = new Mapping(_platform.Map(_file, reach), reach);
                foreach ((long start, long length) in _abandoned)
                {
                    ZeroIn(mapping, start, length);
                }
                _mappings.Add(mapping);
            }
            // Publishes the new view whole (a reference): a thread that reads it sees its mapping made.
            view = new View(mapping, fileLength, ReferenceEquals(mapping, view.Mapping) ? view.Earlier : view);
            Volatile.Write(ref _current, view);
            return view;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long OffsetInEarlier(void* pointer)
    {
        for (View? view = _current; view is not null; view = view.Earlier)
        {
            long offset = (byte*)pointer - view.Base;
            if ((ulong)offset < (ulong)view.Known)
            {
                return offset;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(pointer), $"0x{(nint)pointer:X} is in no mapping of '{_path}'");
    }

    private void ZeroIn(Mapping mapping, long start, long length)
    {
        long end = Math.Min(start + length, mapping.Reserved);
        if (end > start)
        {
            _platform.MapZeros(mapping.Base + start, end - start);
        }
    }

    private void ThrowOutside(long offset, long size, int alignment, long fileLength) =>
        ThrowHelper.ThrowCorrupt(
            $"map file '{_path}': offset {offset} (+{size} bytes, alignment {alignment}) lies past the file's end ({fileLength} bytes) or is misaligned");

    /// <summary>One mmap of the file from its start: <see cref="Reserved"/> bytes of address space.</summary>
    private sealed class Mapping(byte* start, long reserved)
    {
        public byte* Base { get; } = start;

        public long Reserved { get; } = reserved;
    }

    /// <summary>A mapping and the file bytes known to be in it; <see cref="Earlier"/>: the views of earlier mappings.</summary>
    private sealed class View(Mapping mapping, long known, View? earlier)
    {
        public Mapping Mapping { get; } = mapping;

        /// <summary>The mapping's first byte (held here too: one load fewer on every writer's way to an offset).</summary>
        public byte* Base { get; } = mapping.Base;

        public long Known { get; } = known;

        public View? Earlier { get; } = earlier;
    }
}
