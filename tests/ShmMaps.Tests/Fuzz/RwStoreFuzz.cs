namespace ShmMaps.Tests.Fuzz;

internal sealed class RwStoreFuzz : FuzzKind
{
    public override string Name => "RwStore";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var store = RwStore<long>.Create(name, 4096, options);
        var ids = new List<ShmId>();
        for (int i = 0; i < 40; i++)
        {
            ids.Add(store.Insert(i));
        }
        store.TryRemove(ids[7], out _);
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        RwStore<long>? store = null;
        step("open", () => store = RwStore<long>.Open(name, options));
        if (store is null)
        {
            return;
        }
        using (store)
        {
            // Ids as the template handed them out, with the damaged file's store identity (a seed flip makes them foreign).
            ShmId[] ids = Enumerable.Range(0, 48).Select(i => new ShmId(store.StoreId, ((ulong)(i == 7 ? 2 : 1) << 32) | (uint)i)).ToArray();
            step("read", () =>
            {
                foreach (ShmId id in ids)
                {
                    if (store.TryRead(id, out ReadLock<long> guard))
                    {
                        guard.Dispose();
                    }
                }
            });
            step("write", () =>
            {
                if (store.TryWrite(ids[3], out WriteLock<long> guard))
                {
                    guard.Value = 33;
                    guard.Dispose();
                }
            });
            step("insert", () => store.Insert(1000));
            step("out of range", () =>
            {
                foreach (long slot in OutOfRange(4096))
                {
                    var id = new ShmId(store.StoreId, (1UL << 32) | (uint)slot);
                    if (store.TryRead(id, TimeSpan.Zero, out ReadLock<long> guard))
                    {
                        guard.Dispose();
                    }
                }
            });
            step("remove", () => store.TryRemove(ids[5], out _));
        }
    }
}
