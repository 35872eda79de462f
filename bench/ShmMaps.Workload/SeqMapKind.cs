namespace ShmMaps.Workload;

/// <summary><see cref="SeqMap{TKey,TValue}"/>: gets and upserts (it has no atomic read-modify-write).</summary>
internal sealed class SeqMapKind : ShmMapsKind
{
    public override string Name => "seqmap";

    public override string? Unfit(Mix mix, int valueSize) => mix == Mix.Increment ? "no atomic read-modify-write (use stripedmap)" : null;

    public override void Load(RunSpec spec)
    {
        if (spec.ValueSize == 8)
        {
            Fill<long>(spec);
        }
        else
        {
            Fill<Value100>(spec);
        }
    }

    public override IStore Open(RunSpec spec, int worker) =>
        spec.ValueSize == 8 ? new Handle<long>(SeqMap<long, long>.Open(spec.MapName, Options(spec))) : new Handle<Value100>(SeqMap<long, Value100>.Open(spec.MapName, Options(spec)));

    private static void Fill<T>(RunSpec spec) where T : unmanaged
    {
        using var map = SeqMap<long, T>.Create(spec.MapName, spec.Keys, Options(spec));
        for (long i = 0; i < spec.Keys; i++)
        {
            map.Insert(KeyChooser.KeyOf(i), Values.Make<T>(Initial(i)));
        }
    }

    private sealed class Handle<T>(SeqMap<long, T> map) : IStore where T : unmanaged
    {
        public long Get(long index) => map.TryGetValue(KeyChooser.KeyOf(index), out T value) ? Values.StampOf(value) : 0;

        public void Put(long index, long stamp) => map.Insert(KeyChooser.KeyOf(index), Values.Make<T>(stamp));

        public void Increment(long index) => throw new NotSupportedException();

        public void Dispose() => map.Dispose();
    }
}
