namespace ShmMaps.Tests.Fuzz;

internal sealed class SeqMapFuzz : LongMapFuzz<SeqMap<long, long>>
{
    public override string Name => "SeqMap";

    protected override long TemplateCapacity => 4; // grows twice for the template's keys
}
