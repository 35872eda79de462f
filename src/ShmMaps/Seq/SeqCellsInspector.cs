namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers the files of the kinds made of seqlocked cells by index (<see cref="SeqArray{T}"/>, <see cref="SeqVec{T}"/>).</summary>
/// <param name="kind">The kind its files name.</param>
/// <param name="shortName">The name <c>shm create --kind</c> takes.</param>
/// <param name="access">The open generic <see cref="EntryAccess"/> of the kind, over its element type.</param>
internal abstract unsafe class SeqCellsInspector(MapKind kind, string shortName, Type access) : IKindInspector
{
    public MapKind Kind => kind;

    public string ShortName => shortName;

    public bool TypedKeys => false;

    public abstract long Count(MapRegion region);

    public EntryAccess Access(Type? key, Type value) => EntryAccess.Of(access, value);

    /// <summary>The writes the cells have completed: the sum of their lock words' versions (each write adds one).</summary>
    public long? Writes(MapRegion region)
    {
        (SeqCells cells, long used) = Walkable(region);
        long writes = 0;
        for (long i = 0; i < used; i++)
        {
            writes += LockWord.Version(SharedMemory.ReadAcquire((ulong*)cells.Cell(i)));
        }
        return writes;
    }

    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        (SeqCells cells, long used) = Walkable(region);
        string valueType = ValueDecoder.TypeNames(region).Value;
        byte[] buffer = new byte[cells.Layout.ProtectedLength];
        for (long i = 0; i < used; i++)
        {
            if (ReadEntry(region, cells, i, buffer, valueType) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Walks every cell; with <paramref name="recover"/>, finishes what dead writers left.</summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        (SeqCells cells, long used) = Walkable(region);
        byte[] buffer = new byte[cells.Layout.ProtectedLength];
        for (long i = 0; i < used; i++)
        {
            report.Examined++;
            if (!LockSettler.Settle(region, (ulong*)cells.Cell(i), $"cell {i}", report, recover))
            {
                continue;
            }
            cells.ReadProtected(i, buffer);
            uint state = BitConverter.ToUInt32(buffer, 0);
            if (state > SeqCellLayout.Occupied)
            {
                report.Add($"cell {i}: state {state} is neither empty (0) nor occupied (1)");
            }
        }
    }

    private static MapEntry? ReadEntry(MapRegion region, SeqCells cells, long index, byte[] buffer, string valueType)
    {
        cells.ReadProtected(index, buffer);
        if (BitConverter.ToUInt32(buffer, 0) != SeqCellLayout.Occupied && region.Kind != MapKind.SeqArray)
        {
            return null;
        }
        string value = ValueDecoder.Decode(valueType, buffer.AsSpan(cells.Layout.ValueOffset - SeqCellLayout.StateOffset, cells.Layout.ValueSize));
        return new MapEntry(index, null, value);
    }

    /// <summary>The cells of a SeqArray or SeqVec file, and how many of them are in use.</summary>
    private static (SeqCells Cells, long Used) Walkable(MapRegion region)
    {
        if (region.Kind == MapKind.SeqArray)
        {
            SeqArrayLayout array = SeqArrayLayout.Open(region);
            return (array.Cells, array.Length);
        }
        SeqVecLayout vector = SeqVecLayout.Open(region);
        long count = vector.Count;
        return (vector.CellsThrough(count), count);
    }
}
