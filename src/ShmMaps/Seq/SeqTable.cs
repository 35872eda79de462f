namespace ShmMaps.Seq;

/// <summary>One generation of a <see cref="SeqMap{TKey,TValue}"/>'s tables, as this process maps it.</summary>
/// <remarks>
/// <code>
/// insert stripes   StripeCount lock words; the stripe of home cell h is h &gt;&gt; StripeShift. Only an insert
///                  of a new key takes it, so that two processes adding the same key serialize.
/// moved flags      StripeCount words: 1 once every key whose home is in the stripe has been copied into
///                  the next table (set under the stripe; never cleared)
/// cells            CellCount x stride, see <see cref="SeqCellLayout"/>
/// </code>
/// </remarks>
internal sealed unsafe class SeqTable : IMigratingTable
{
    private readonly SeqCells _cells;

    public SeqTable(int generation, SeqCells cells, ulong* stripes, ulong* moved, int stripeShift)
    {
        Generation = generation;
        _cells = cells;
        CellBase = cells.Cell(0);
        Mask = cells.Count - 1;
        Stripes = stripes;
        Moved = moved;
        StripeShift = stripeShift;
    }

    /// <summary>The table's generation: 0 at create, one more at each growth.</summary>
    public int Generation { get; }

    /// <summary>The cells, by reference: a copy of the struct on every cell read would cost the hot paths a 48-byte copy.</summary>
    public ref readonly SeqCells Cells => ref _cells;

    public byte* CellBase { get; }

    public long Mask { get; }

    public ulong* Stripes { get; }

    public ulong* Moved { get; }

    public int StripeShift { get; }

    public long CellCount => Mask + 1;

    public long StripeCount => CellCount >> StripeShift;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Home(ulong hash) => (long)(hash & (ulong)Mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long StripeOfHome(long home) => home >> StripeShift;

    /// <summary>A migration's units are the insert stripes.</summary>
    public long Units => StripeCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long UnitOf(ulong hash) => StripeOfHome(Home(hash));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong* MovedFlag(long unit) => Moved + unit;
}
