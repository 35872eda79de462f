namespace ShmMaps.Workload;

/// <summary><see cref="LeftRightMap"/>: reads, each in a fresh read guard (its one writer publishes elsewhere).</summary>
internal sealed class LeftRightMapKind : ValueTypedKind
{
    public override string Name => "leftrightmap";

    public override string? Unfit(Mix mix, int valueSize) => mix == Mix.Read100 ? null : "one writer: its readers only read";

    protected override IStore Open<T>(RunSpec spec) => new Handle<T>(LeftRightMap.OpenReader<long, T>(spec.MapName, Options(spec)));

    protected override void Fill<T>(RunSpec spec)
    {
        using var writer = LeftRightMap.CreateWriter<long, T>(spec.MapName, spec.Keys, Options(spec));
        using WriteGuard<long, T> guard = writer.Guard();
        for (long i = 0; i < spec.Keys; i++)
        {
            guard.Insert(KeyChooser.KeyOf(i), Values.Make<T>(Initial(i)));
        }
    }

    private sealed class Handle<T>(LeftRightReader<long, T> reader) : IStore where T : unmanaged
    {
        public long Get(long index)
        {
            using ReadGuard<long, T> guard = reader.Guard();
            return guard.TryGetValue(KeyChooser.KeyOf(index), out T value) ? Values.StampOf(value) : 0;
        }

        public void Put(long index, long stamp) => throw new NotSupportedException();

        public void Increment(long index) => throw new NotSupportedException();

        public void Dispose() => reader.Dispose();
    }
}
