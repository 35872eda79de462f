using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of an RwStore cross-process test does. Elements are <see cref="Whole4"/> unless said.</summary>
public static class RwChildRoles
{
    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "rw-increment":
                // Adds 1 to a long element n times, each under the write lock.
                using (var store = RwStore<long>.Open(name, options))
                {
                    ShmId id = ShmId.Parse(args[0]);
                    Console.WriteLine("ready");
                    for (long i = 0; i < Arg(1); i++)
                    {
                        if (!store.TryWrite(id, out WriteLock<long> guard))
                        {
                            Console.WriteLine("lost");
                            return 1;
                        }
                        guard.Value++;
                        guard.Dispose();
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "rw-half-write":
                // Takes the write lock, writes half of a new value in place, and waits to be killed.
                using (var store = RwStore<Whole4>.Open(name, options))
                {
                    ShmId id = ShmId.Parse(args[0]);
                    if (!store.TryWrite(id, out WriteLock<Whole4> guard))
                    {
                        Console.WriteLine("lost");
                        return 1;
                    }
                    Whole4.WriteWordByWord(ref guard.Value, Whole4.Of(Arg(1)), words: 2);
                    Console.WriteLine("half");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            case "rw-hold-read":
                // Takes read locks on the ids given, on two threads, and waits to be killed.
                using (var store = RwStore<Whole4>.Open(name, options))
                {
                    var held = new List<ReadLock<Whole4>>();
                    foreach (string text in args)
                    {
                        var thread = new Thread(() =>
                        {
                            if (store.TryRead(ShmId.Parse(text), out ReadLock<Whole4> guard))
                            {
                                lock (held)
                                {
                                    held.Add(guard);
                                }
                            }
                        });
                        thread.Start();
                        thread.Join();
                    }
                    Console.WriteLine("held " + held.Count.ToString(CultureInfo.InvariantCulture));
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            case "rw-write-forever":
                // Rewrites the element whole, in place and field by field, under the write lock until killed.
                using (var store = RwStore<Whole4>.Open(name, options))
                {
                    ShmId id = ShmId.Parse(args[0]);
                    Console.WriteLine("ready");
                    for (long n = Arg(1); ; n++)
                    {
                        if (!store.TryWrite(id, out WriteLock<Whole4> guard))
                        {
                            return 1;
                        }
                        Whole4.WriteWordByWord(ref guard.Value, Whole4.Of(n));
                        guard.Dispose();
                    }
                }
            case "rw-read-growing":
                // Reads slots 0, 1, ... of a store another process is filling (value of slot s: Whole4.Of(s)),
                // each once it is live, until slot n-1; prints "ok <reads>" or the first wrong value.
                using (var store = RwStore<Whole4>.Open(name, options))
                {
                    Console.WriteLine("ready");
                    Console.WriteLine(ReadGrowing(store, Arg(0)));
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }

    private static string ReadGrowing(RwStore<Whole4> store, long count)
    {
        long reads = 0;
        var random = new Random(7);
        for (long next = 0; next < count;)
        {
            // The newest slot once it is live, and a random older one every time.
            var id = new ShmId(store.StoreId, (1UL << 32) | (ulong)next);
            if (store.TryRead(id, out ReadLock<Whole4> guard))
            {
                Whole4 value = guard.Value;
                guard.Dispose();
                if (value != Whole4.Of(next))
                {
                    return $"slot {next}: {value}";
                }
                next++;
            }
            if (next > 0)
            {
                long old = random.NextInt64(next);
                if (!store.TryRead(new ShmId(store.StoreId, (1UL << 32) | (ulong)old), out ReadLock<Whole4> older))
                {
                    return $"slot {old} is not live";
                }
                Whole4 value = older.Value;
                older.Dispose();
                if (value != Whole4.Of(old))
                {
                    return $"slot {old}: {value}";
                }
                reads++;
            }
        }
        return "ok " + reads.ToString(CultureInfo.InvariantCulture);
    }
}
