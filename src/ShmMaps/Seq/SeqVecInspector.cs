namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers <see cref="SeqVec{T}"/> files.</summary>
internal sealed class SeqVecInspector : SeqCellsInspector
{
    public override MapKind Kind => MapKind.SeqVec;

    public override string ShortName => "vector";

    public override long Count(MapRegion region) => SeqVecLayout.Open(region).Count;

    public override EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(SeqVecAccess<>), value);
}
