namespace ShmMaps.Workload;

/// <summary><see cref="SeqMap{TKey,TValue}"/>: gets and upserts (it has no atomic read-modify-write).</summary>
internal sealed class SeqMapKind : ValueTypedKind
{
    public override string Name => "seqmap";

    public override string? Unfit(Mix mix, int valueSize) => mix == Mix.Increment ? "no atomic read-modify-write (use stripedmap)" : null;

    protected override IStore Open<T>(RunSpec spec) => new Handle<T>(SeqMap<long, T>.Open(spec.MapName, Options(spec)));

    protected override void Fill<T>(RunSpec spec)
    {
        using var map = SeqMap<long, T>.Create(spec.MapName, spec.Keys, Options(spec));
        for (long i = 0; i < spec.Keys; i++)
        {
            map.Insert(KeyChooser.KeyOf(i), Values.Make<T>(Initial(i)));
        }
    }

    internal sealed class Handle<T>(SeqMap<long, T> map) : IStore where T : unmanaged
    {
        public long Get(long index) => map.TryGetValue(KeyChooser.KeyOf(index), out T value) ? Values.StampOf(value) : 0;

        public void Put(long index, long stamp) => map.Insert(KeyChooser.KeyOf(index), Values.Make<T>(stamp));

        public void Increment(long index) => throw new NotSupportedException();

        public void Dispose() => map.Dispose();
    }
}
