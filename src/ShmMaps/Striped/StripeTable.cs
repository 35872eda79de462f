namespace ShmMaps.Striped;

/// <summary>A striped map's stripes without its generic types: what the inspector reads.</summary>
internal sealed unsafe class StripeTable(byte* start, long stripes, long cellsPerStripe, int cellStride, long stripeStride, int keySize, int valueSize, ulong seed)
{
    public long Stripes => stripes;

    public long CellsPerStripe => cellsPerStripe;

    public int CellStride => cellStride;

    public int KeySize => keySize;

    public int ValueSize => valueSize;

    public ulong Seed => seed;

    /// <summary>Stripe <paramref name="index"/>: its lock word first.</summary>
    public byte* Stripe(long index) => start + (index * stripeStride);

    public uint State(long stripe, long cell) => *(uint*)Cell(stripe, cell);

    /// <summary>Copies cell <paramref name="cell"/> of stripe <paramref name="stripe"/> (a racy copy: the caller settled the stripe's lock).</summary>
    public void Copy(long stripe, long cell, Span<byte> destination) => new ReadOnlySpan<byte>(Cell(stripe, cell), cellStride).CopyTo(destination);

    private byte* Cell(long stripe, long cell) => Stripe(stripe) + StripedLayout.CellsOffset + (cell * cellStride);
}
