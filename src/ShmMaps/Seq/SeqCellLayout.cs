namespace ShmMaps.Seq;

/// <summary>
/// The bytes of one seqlock cell, shared by <see cref="SeqArray{T}"/>, <see cref="SeqVec{T}"/> and <see cref="SeqMap{TKey,TValue}"/>.
/// </summary>
/// <remarks>
/// <code>
///  0  u64 lock word      [version 32][owner generation 16][owner lane 15][locked 1]
///  8  u32 probe limit    SeqMap only: the farthest distance from this cell, as a home, of any key that
///                        hashes here. Raised by the insert-stripe holder; not under the cell's seqlock.
/// 12  u32 state          0 empty, 1 occupied, 2 moved -- the protected bytes start here
/// 16  key                KeySize bytes (none for arrays and vectors)
/// 16+KeySize  value      ValueSize bytes
///     padding to a multiple of 8
/// </code>
/// The protected bytes (state, key, value) change only under the lock word and are what a writer's undo
/// image saves.
/// </remarks>
internal readonly struct SeqCellLayout
{
    public const int WordOffset = 0;
    public const int ProbeLimitOffset = 8;
    public const int StateOffset = 12;
    public const int KeyOffset = 16;

    public const uint Empty = 0;
    public const uint Occupied = 1;

    /// <summary>
    /// SeqMap only: an entry its table's migration has copied into the next table. It stays the key's entry for
    /// lookups in the old table until the stripe's moved flag is set; no lookup that skips the state word takes it.
    /// </summary>
    public const uint Moved = 2;

    public SeqCellLayout(int keySize, int valueSize)
    {
        KeySize = keySize;
        ValueSize = valueSize;
        ValueOffset = KeyOffset + keySize;
        Stride = (ValueOffset + valueSize + 7) & ~7;
        ProtectedLength = Stride - StateOffset;
    }

    public int KeySize { get; }
    public int ValueSize { get; }
    public int ValueOffset { get; }

    /// <summary>The size of a cell, a multiple of 8 so that every lock word is aligned.</summary>
    public int Stride { get; }

    /// <summary>The bytes an undo image holds: from the state to the end of the cell.</summary>
    public int ProtectedLength { get; }

    public static SeqCellLayout For<TKey, TValue>(bool hasKey) =>
        new(hasKey ? Unsafe.SizeOf<TKey>() : 0, Unsafe.SizeOf<TValue>());
}
