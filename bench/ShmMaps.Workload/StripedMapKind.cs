namespace ShmMaps.Workload;

/// <summary><see cref="StripedMap{TKey,TValue}"/>: gets, upserts, and increments under the stripe's lock.</summary>
internal sealed class StripedMapKind : ValueTypedKind
{
    public override string Name => "stripedmap";

    protected override IStore Open<T>(RunSpec spec) => new Handle<T>(StripedMap<long, T>.Open(spec.MapName, Options(spec)));

    protected override void Fill<T>(RunSpec spec)
    {
        using var map = StripedMap<long, T>.Create(spec.MapName, spec.Keys, Options(spec));
        for (long i = 0; i < spec.Keys; i++)
        {
            map.Insert(KeyChooser.KeyOf(i), Values.Make<T>(Initial(i)));
        }
    }

    internal sealed class Handle<T>(StripedMap<long, T> map) : IStore where T : unmanaged
    {
        public long Get(long index) => map.TryGetValue(KeyChooser.KeyOf(index), out T value) ? Values.StampOf(value) : 0;

        public void Put(long index, long stamp) => map.Insert(KeyChooser.KeyOf(index), Values.Make<T>(stamp));

        public void Increment(long index) =>
            map.AddOrUpdate(KeyChooser.KeyOf(index), Values.Make<T>(1), static (_, v) => Values.Make<T>(Values.StampOf(v) + 1));

        public void Dispose() => map.Dispose();
    }
}
