using ShmMaps.Core.Region;

namespace ShmMaps.Striped;

/// <summary>A striped map's stripes without its generic types: what the map and the inspector read.</summary>
internal sealed unsafe class StripeTable(byte* start, long stripes, long cellsPerStripe, int cellStride, long stripeStride, int keySize, int valueSize, ulong seed)
{
    /// <summary>The stripes of <paramref name="region"/>, their parameters validated against the header and the region.</summary>
    public static StripeTable Open(MapRegion region)
    {
        long stripes = region.KindParameter(StripedLayout.StripeCountParameter);
        long perStripe = region.KindParameter(StripedLayout.CellsPerStripeParameter);
        int keySize = (int)region.Header->KeySize;
        int valueSize = (int)region.Header->ValueSize;
        int cellStride = StripedLayout.CellStride(keySize, valueSize);
        long stripeStride = region.KindParameter(StripedLayout.StripeStrideParameter);
        byte* start = region.RegionPointer(StripedLayout.StripeRegion, out long length);
        if (stripes < 1 || (stripes & (stripes - 1)) != 0 || perStripe < 1 || (perStripe & (perStripe - 1)) != 0
            || perStripe > StripedLayout.MaxCellsPerStripe || stripes > StripedLayout.MaxCells / perStripe
            || region.KindParameter(StripedLayout.CellStrideParameter) != cellStride || stripeStride != StripedLayout.StripeStride(perStripe, cellStride)
            || stripeStride > StripedLayout.MaxStripeBytes || length < stripes * stripeStride)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': {stripes} stripes of {perStripe} cells, cell or stripe stride, or the stripe region of {length} bytes is invalid");
        }
        return new StripeTable(start, stripes, perStripe, cellStride, stripeStride, keySize, valueSize, region.HashSeed);
    }

    public long Stripes => stripes;

    public long CellsPerStripe => cellsPerStripe;

    public int CellStride => cellStride;

    public long StripeStride => stripeStride;

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
