namespace ShmMaps.Workload;

/// <summary>
/// <see cref="RwStore{T}"/>: elements by id (key index i is the i-th element inserted: slot i, generation 1), read under
/// the element's read lock, written and incremented under its write lock.
/// </summary>
internal sealed class RwStoreKind : ValueTypedKind
{
    public override string Name => "rwstore";

    protected override IStore Open<T>(RunSpec spec) => new Handle<T>(RwStore<T>.Open(spec.MapName, Options(spec)));

    protected override void Fill<T>(RunSpec spec)
    {
        using var store = RwStore<T>.Create(spec.MapName, spec.Keys, Options(spec));
        for (long i = 0; i < spec.Keys; i++)
        {
            ShmId id = store.Insert(Values.Make<T>(Initial(i)));
            if (id.Slot != i)
            {
                throw new InvalidOperationException($"element {i} got slot {id.Slot}");
            }
        }
    }

    private sealed class Handle<T>(RwStore<T> store) : IStore where T : unmanaged
    {
        public long Get(long index)
        {
            if (!store.TryRead(Id(index), out ReadLock<T> read))
            {
                return 0;
            }
            long stamp = Values.StampOf(read.Value);
            read.Dispose();
            return stamp;
        }

        public void Put(long index, long stamp)
        {
            if (store.TryWrite(Id(index), out WriteLock<T> write))
            {
                write.Value = Values.Make<T>(stamp);
                write.Dispose();
            }
        }

        public void Increment(long index)
        {
            if (store.TryWrite(Id(index), out WriteLock<T> write))
            {
                write.Value = Values.Make<T>(Values.StampOf(write.Value) + 1);
                write.Dispose();
            }
        }

        public void Dispose() => store.Dispose();

        private ShmId Id(long index) => new(store.StoreId, (1UL << 32) | (ulong)index);
    }
}
