namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers <see cref="SeqVec{T}"/> files.</summary>
internal sealed class SeqVecInspector() : SeqCellsInspector(MapKind.SeqVec, "vector", typeof(SeqVecAccess<>))
{
    public override long Count(MapRegion region) => SeqVecLayout.Open(region).Count;
}
