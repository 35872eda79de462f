namespace ShmMaps.LeftRight;

/// <summary>
/// One copy of a left-right map's table: open addressing, linear probing, backward-shift removal. Reads are
/// plain loads (no reader is on a copy while it changes); writes are the writer's alone.
/// </summary>
internal readonly unsafe struct LeftRightCopy<TKey, TValue>
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly byte* _cells;
    private readonly long _mask;

    public LeftRightCopy(byte* cells, long cellCount)
    {
        _cells = cells;
        _mask = cellCount - 1;
    }

    /// <summary>The number of cells.</summary>
    public long CellCount => _mask + 1;

    /// <summary>The copy's bytes.</summary>
    public long ByteLength => (_mask + 1) * Stride;

    /// <summary>The stored tag of a key of <paramref name="hash"/>: never 0 (the empty cell's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TagOf(ulong hash) => hash | 1;

    /// <summary>What <see cref="Find"/> returns for a key that is absent from a copy without an empty cell (only a damaged file has one).</summary>
    public const long NoEmptyCell = long.MinValue;

    /// <summary>
    /// The cell holding <paramref name="key"/>, or the complement of the empty cell that ends its probe, or
    /// <see cref="NoEmptyCell"/> after probing every cell (the writer keeps one empty; a damaged copy may have none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find(in TKey key, ulong hash)
    {
        ulong tag = TagOf(hash);
        long cell = Home(hash);
        for (long probed = 0; probed <= _mask; probed++)
        {
            byte* at = Cell(cell);
            ulong found = *(ulong*)at;
            if (found == 0)
            {
                return ~cell;
            }
            if (found == tag && KeyBytes<TKey>.Equal(Unsafe.ReadUnaligned<TKey>(at + LeftRightLayout.KeyOffset), key))
            {
                return cell;
            }
            cell = (cell + 1) & _mask;
        }
        return NoEmptyCell;
    }

    /// <summary>
    /// Looks <paramref name="key"/> up. Its home cell is tried first on a straight path that loads tag, key and
    /// value together (most keys are there, and a get bound by memory misses fits more of them in flight when
    /// its path depends on fewer loads); the probe goes on from there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(in TKey key, ulong hash, out TValue value)
    {
        byte* home = Cell(Home(hash));
        value = Unsafe.ReadUnaligned<TValue>(home + LeftRightLayout.KeyOffset + Unsafe.SizeOf<TKey>());
        if (*(ulong*)home == TagOf(hash) && KeyBytes<TKey>.Equal(Unsafe.ReadUnaligned<TKey>(home + LeftRightLayout.KeyOffset), key))
        {
            return true;
        }
        long cell = Find(key, hash);
        if (cell < 0)
        {
            value = default;
            return false;
        }
        value = ValueAt(cell);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue ValueAt(long cell) => Unsafe.ReadUnaligned<TValue>(Cell(cell) + LeftRightLayout.KeyOffset + Unsafe.SizeOf<TKey>());

    public TKey KeyAt(long cell) => Unsafe.ReadUnaligned<TKey>(Cell(cell) + LeftRightLayout.KeyOffset);

    public ulong TagAt(long cell) => *(ulong*)Cell(cell);

    /// <summary>Writes the value of the key in <paramref name="cell"/>.</summary>
    public void SetValue(long cell, TValue value) =>
        Unsafe.WriteUnaligned(Cell(cell) + LeftRightLayout.KeyOffset + Unsafe.SizeOf<TKey>(), value);

    /// <summary>Fills empty <paramref name="cell"/> with a key (the caller keeps one cell empty, so probes end).</summary>
    public void Fill(long cell, in TKey key, ulong hash, TValue value)
    {
        byte* at = Cell(cell);
        Unsafe.WriteUnaligned(at + LeftRightLayout.KeyOffset, key);
        Unsafe.WriteUnaligned(at + LeftRightLayout.KeyOffset + Unsafe.SizeOf<TKey>(), value);
        *(ulong*)at = TagOf(hash);
    }

    /// <summary>
    /// Empties <paramref name="cell"/>, moving later cells of the run back so that every key stays reachable;
    /// <see cref="CorruptMapException"/> if the run never ends (a copy without an empty cell).
    /// </summary>
    public void RemoveAt(long cell)
    {
        long hole = cell;
        long next = (cell + 1) & _mask;
        for (long moved = 0; ; moved++)
        {
            ulong tag = TagAt(next);
            if (tag == 0)
            {
                break;
            }
            if (moved == _mask)
            {
                ThrowHelper.ThrowCorrupt($"a left-right copy of {_mask + 1} cells has no empty cell");
            }
            long home = Home(tag); // the tag is the hash with its lowest bit set, which Home drops
            // The key at next may move into the hole if its home is not cyclically within (hole, next].
            if (((next - home) & _mask) >= ((next - hole) & _mask))
            {
                Buffer.MemoryCopy(Cell(next), Cell(hole), Stride, Stride);
                hole = next;
            }
            next = (next + 1) & _mask;
        }
        new Span<byte>(Cell(hole), Stride).Clear();
    }

    /// <summary>Makes this copy byte for byte <paramref name="source"/>.</summary>
    public void CopyFrom(LeftRightCopy<TKey, TValue> source) =>
        Buffer.MemoryCopy(source._cells, _cells, ByteLength, ByteLength);

    private static int Stride
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => LeftRightLayout.CellStride(Unsafe.SizeOf<TKey>(), Unsafe.SizeOf<TValue>());
    }

    /// <summary>The first cell of the probe for a key of <paramref name="hash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Home(ulong hash) => (long)(hash >> 1) & _mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Cell(long cell) => _cells + (cell * Stride);
}
