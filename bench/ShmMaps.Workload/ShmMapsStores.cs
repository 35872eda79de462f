using ShmMaps.Inspection;

namespace ShmMaps.Workload;

/// <summary>What every ShmMaps kind shares: maps in the run's directory, memory told by the file's allocated bytes.</summary>
internal abstract class ShmMapsKind : StoreKind
{
    public override long? MemoryBytes(RunSpec spec) => MapInspector.Describe(spec.MapName, Options(spec)).AllocatedBytes;

    public override void Drop(RunSpec spec) => MapInspector.Delete(spec.MapName, Options(spec));

    protected static ShmOptions Options(RunSpec spec) => new() { Directory = spec.Directory, WriterLanes = 512, ReaderSlots = 1024, MaxLoad = spec.MaxLoad };
}
