namespace ShmMaps.Striped;

/// <summary>One table of a striped map's stripes, without its generic types: what the map and the inspector read.</summary>
internal sealed unsafe class StripeTable(StripedLayout layout, int generation, byte* start, long stripes, ulong seed) : IMigratingTable
{
    public StripedLayout Layout => layout;

    public int Generation => generation;

    /// <summary>Stripe 0's lock word: the stripes follow at <see cref="StripeStride"/>.</summary>
    public byte* Start => start;

    public long Stripes => stripes;

    /// <summary>The mask that takes a hash to its stripe.</summary>
    public long StripeMask => stripes - 1;

    public long CellsPerStripe => layout.CellsPerStripe;

    public int CellStride => layout.CellStride;

    public long StripeStride => layout.StripeStride;

    public int KeySize => layout.KeySize;

    public int ValueSize => layout.ValueSize;

    public ulong Seed => seed;

    /// <summary>Stripe <paramref name="index"/>: its lock word first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Stripe(long index) => start + (index * layout.StripeStride);

    /// <summary>The stripe of a hash: its low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long StripeIndexOf(ulong hash) => (long)(hash & (ulong)(stripes - 1));

    /// <summary>Stripe <paramref name="index"/>'s moved flag: 1 once it is copied into the next table.</summary>
    public ulong* Moved(long index) => (ulong*)(Stripe(index) + StripedLayout.MovedOffset);

    /// <summary>A migration's units are the stripes.</summary>
    public long Units => stripes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long UnitOf(ulong hash) => StripeIndexOf(hash);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* MovedFlag(long unit) => Moved(unit);

    public uint State(long stripe, long cell) => *(uint*)Cell(stripe, cell);

    /// <summary>Copies cell <paramref name="cell"/> of stripe <paramref name="stripe"/> (a racy copy: the caller settled the stripe's lock).</summary>
    public void Copy(long stripe, long cell, Span<byte> destination) => new ReadOnlySpan<byte>(Cell(stripe, cell), layout.CellStride).CopyTo(destination);

    private byte* Cell(long stripe, long cell) => Stripe(stripe) + StripedLayout.CellsOffset + (cell * layout.CellStride);
}
