namespace ShmMaps.Seq;

/// <summary>Reads, checks and recovers <see cref="SeqArray{T}"/> files.</summary>
internal sealed class SeqArrayInspector : SeqCellsInspector
{
    public override MapKind Kind => MapKind.SeqArray;

    public override string ShortName => "array";

    public override long Count(MapRegion region) => SeqArrayLayout.Open(region).Length;

    public override EntryAccess Access(Type? key, Type value) => EntryAccess.Of(typeof(SeqArrayAccess<>), value);
}
