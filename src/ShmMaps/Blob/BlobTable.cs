namespace ShmMaps.Blob;

/// <summary>One table of a blob map's index, as this process maps it.</summary>
internal sealed unsafe class BlobTable(int generation, byte* start, long stripes) : IMigratingTable
{
    public int Generation => generation;

    /// <summary>Stripe 0's lock word: the stripes follow at <see cref="BlobLayout.StripeStride"/>.</summary>
    public byte* Start => start;

    public long Stripes => stripes;

    public long StripeMask => stripes - 1;

    /// <summary>Stripe <paramref name="index"/>: its lock word first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Stripe(long index) => start + (index * BlobLayout.StripeStride);

    /// <summary>The stripe of a hash: its low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long StripeIndexOf(ulong hash) => (long)(hash & (ulong)(stripes - 1));

    public long Units => stripes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long UnitOf(ulong hash) => StripeIndexOf(hash);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* MovedFlag(long unit) => (ulong*)(Stripe(unit) + BlobLayout.MovedOffset);

    /// <summary>The count of entries naming a block in stripe <paramref name="index"/>, written under its lock.</summary>
    public long* Live(long index) => (long*)(Stripe(index) + BlobLayout.LiveOffset);

    /// <summary>Cell <paramref name="cell"/> of stripe <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* Cell(long index, int cell) => (ulong*)(Stripe(index) + BlobLayout.CellsOffset) + cell;

    /// <summary>Cell 0 of <paramref name="stripe"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong* Cells(byte* stripe) => (ulong*)(stripe + BlobLayout.CellsOffset);

    /// <summary>A key's home cell in its stripe: hash bits 24 to 31 (a stripe takes at most the 24 below; a block keeps all 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HomeOf(ulong hash) => (int)(hash >> 24) & (BlobLayout.CellsPerStripe - 1);
}
