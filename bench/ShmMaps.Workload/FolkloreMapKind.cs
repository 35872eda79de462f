namespace ShmMaps.Workload;

/// <summary>
/// <see cref="FolkloreMap{TValue}"/>: counters by name (the key's 16 hex digits as a UTF-8 key, a 4-byte value), read
/// and incremented with one CAS.
/// </summary>
internal sealed class FolkloreMapKind : ShmMapsKind
{
    public override string Name => "folkloremap";

    public override string? Unfit(Mix mix, int valueSize) =>
        valueSize != 8 ? "values are 2 or 4 bytes" : mix is Mix.Read100 or Mix.Increment ? null : "counters by name: reads and increments";

    public override void Load(RunSpec spec)
    {
        using var map = FolkloreMap<int>.Create(spec.MapName, spec.Keys, Options(spec));
        Span<byte> name = stackalloc byte[16];
        for (long i = 0; i < spec.Keys; i++)
        {
            map.Insert(KeyChooser.HexNameOf(i, name), (int)Initial(i));
        }
    }

    public override IStore Open(RunSpec spec, int worker) => new Handle(FolkloreMap<int>.Open(spec.MapName, Options(spec)));


    internal sealed class Handle(FolkloreMap<int> map) : IStore
    {
        public long Get(long index)
        {
            Span<byte> name = stackalloc byte[16];
            return map.TryGetValue(KeyChooser.HexNameOf(index, name), out int value) ? value : 0;
        }

        public void Put(long index, long stamp)
        {
            Span<byte> name = stackalloc byte[16];
            map.Insert(KeyChooser.HexNameOf(index, name), (int)stamp);
        }

        public void Increment(long index)
        {
            Span<byte> name = stackalloc byte[16];
            map.AddOrUpdate(KeyChooser.HexNameOf(index, name), 1, static v => v + 1);
        }

        public void Dispose() => map.Dispose();
    }
}
