namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers <see cref="SeqArray{T}"/> files.</summary>
internal sealed class SeqArrayInspector() : SeqCellsInspector(MapKind.SeqArray, "array", typeof(SeqArrayAccess<>))
{
    public override long Count(MapRegion region) => SeqArrayLayout.Open(region).Length;
}
