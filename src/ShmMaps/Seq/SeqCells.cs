namespace ShmMaps.Seq;

/// <summary>
/// A table of seqlock cells in a region: lock-free reads that retry on a torn copy, and writes through
/// the lane protocol (intent, lock, undo image, write, commit, unlock) that a crash cannot tear.
/// </summary>
/// <remarks>
/// Reading a cell: load the word with acquire; if locked, wait (recovering a dead owner); copy the bytes;
/// <see cref="SharedMemory.LoadLoadBarrier"/>; load the word again. Equal words mean the copy is whole.
/// </remarks>
internal readonly unsafe struct SeqCells
{
    private readonly byte* _cells;
    private readonly MapRegion _region;

    public SeqCells(MapRegion region, int cellRegion, long cellCount, SeqCellLayout layout)
    {
        _region = region;
        Layout = layout;
        Count = cellCount;
        _cells = region.RegionPointer(cellRegion, out long length);
        if (cellCount < 0 || cellCount > length / layout.Stride)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': the cell region is {length} bytes, {cellCount} cells of {layout.Stride} need more");
        }
    }

    /// <summary>Cells at <paramref name="cells"/>, inside a region whose bounds the caller has checked.</summary>
    public SeqCells(MapRegion region, byte* cells, long cellCount, SeqCellLayout layout)
    {
        _region = region;
        Layout = layout;
        Count = cellCount;
        _cells = cells;
    }

    public SeqCellLayout Layout { get; }

    public long Count { get; }

    public LaneTable Lanes => _region.Lanes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Cell(long index) => _cells + (index * Layout.Stride);

    /// <summary>The index of a cell of this table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long IndexOf(byte* cell) => (cell - _cells) / Layout.Stride;

    /// <summary>The cell's word once unlocked (acquire); waits for, or recovers, a holder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadWord(byte* cell)
    {
        ulong word = SharedMemory.ReadAcquire((ulong*)cell);
        return LockWord.IsLocked(word) ? Wait(cell, word) : word;
    }

    /// <summary>True if the cell's word is still <paramref name="word"/> after the caller's data loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Validate(byte* cell, ulong word)
    {
        SharedMemory.LoadLoadBarrier();
        return *(ulong*)cell == word;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint State(byte* cell) => *(uint*)(cell + SeqCellLayout.StateOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey Key<TKey>(byte* cell) where TKey : unmanaged => Unsafe.ReadUnaligned<TKey>(cell + SeqCellLayout.KeyOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Value<TValue>(byte* cell) where TValue : unmanaged => Unsafe.ReadUnaligned<TValue>(cell + Layout.ValueOffset);

    /// <summary>
    /// Steps 1-2 of a write: records the intent and CASes the word from <paramref name="expected"/> (unlocked)
    /// to locked by <paramref name="lane"/>. False if the word changed meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLock(Lane lane, byte* cell, ulong expected)
    {
        lane.MarkLocking(_region.OffsetOf(cell));
        return RobustLock.TryAcquireFrom(lane, (ulong*)cell, expected);
    }

    /// <summary>Locks the cell whatever it holds (its intent recorded first); returns the word it had.</summary>
    public ulong Lock(Lane lane, byte* cell)
    {
        lane.MarkLocking(_region.OffsetOf(cell));
        return RobustLock.Acquire(_region.Lanes, lane, (ulong*)cell);
    }

    /// <summary>Step 3: saves the cell's protected bytes as the undo image; the caller may now write them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BeginWrite(Lane lane, byte* cell)
    {
        byte* data = cell + SeqCellLayout.StateOffset;
        lane.SaveUndo(_region.OffsetOf(data), data, Layout.ProtectedLength);
    }

    /// <summary>Steps 5-6: commits the count change and releases the cell with the next version.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EndWrite(Lane lane, byte* cell, ulong lockedFrom, long countDelta)
    {
        lane.Commit(countDelta);
        RobustLock.Release((ulong*)cell, lockedFrom);
    }

    /// <summary>Releases a cell locked but not changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unlock(byte* cell, ulong lockedFrom) => RobustLock.Release((ulong*)cell, lockedFrom);

    /// <summary>
    /// Reads the value of element cell <paramref name="index"/> (arrays and vectors) whole; false if the cell
    /// was never written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLoadElement<T>(long index, out T value) where T : unmanaged
    {
        byte* cell = Cell(index);
        while (true)
        {
            ulong word = ReadWord(cell);
            uint state = State(cell);
            value = Value<T>(cell);
            if (Validate(cell, word))
            {
                return state == SeqCellLayout.Occupied;
            }
        }
    }

    /// <summary>Writes the value of element cell <paramref name="index"/> through the lane protocol.</summary>
    public void StoreElement<T>(long index, T value) where T : unmanaged
    {
        byte* cell = Cell(index);
        Lane lane = Lanes.Current;
        ulong lockedFrom = Lock(lane, cell);
        BeginWrite(lane, cell);
        *(uint*)(cell + SeqCellLayout.StateOffset) = SeqCellLayout.Occupied;
        Unsafe.WriteUnaligned(cell + Layout.ValueOffset, value);
        EndWrite(lane, cell, lockedFrom, 0);
    }

    /// <summary>Copies cell <paramref name="index"/>'s protected bytes whole; returns the word they were read under.</summary>
    public ulong ReadProtected(long index, Span<byte> destination)
    {
        byte* cell = Cell(index);
        var source = new ReadOnlySpan<byte>(cell + SeqCellLayout.StateOffset, Layout.ProtectedLength);
        while (true)
        {
            ulong word = ReadWord(cell);
            source.CopyTo(destination);
            if (Validate(cell, word))
            {
                return word;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong Wait(byte* cell, ulong word) => LockWaiter.WaitUnlocked(_region.Lanes, (ulong*)cell, word);
}
