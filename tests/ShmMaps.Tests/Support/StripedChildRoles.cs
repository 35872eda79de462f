using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a StripedMap cross-process test does.</summary>
public static class StripedChildRoles
{
    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "striped-grow":
                // Adds keys from .. to - 1 (value key x 10), every fourth through a KeyLock, acknowledging each in
                // <name>-acked[0]; says "ready" first.
                using (var map = StripedMap<long, long>.Open(name, options))
                using (var acked = SeqArray<long>.Open(name + "-acked", options))
                {
                    Console.WriteLine("ready");
                    for (long key = Arg(0); key < Arg(1); key++)
                    {
                        if (key % 4 == 0)
                        {
                            InsertLocked(map, key, key * 10);
                        }
                        else
                        {
                            map.Insert(key, key * 10);
                        }
                        acked[0] = key - Arg(0) + 1;
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "striped-add":
                // AddOrUpdate +1 on key (i mod keys) for i in 0 .. n-1.
                using (var map = StripedMap<long, long>.Open(name, options))
                {
                    Console.WriteLine("ready");
                    for (long i = 0; i < Arg(1); i++)
                    {
                        map.AddOrUpdate(i % Arg(0), 1, static (_, v) => v + 1);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "striped-plus":
                // n times: lock (a, b) named in this order, then m[1] += m[2].
                using (var map = StripedMap<long, long>.Open(name, options))
                {
                    long a = Arg(0), b = Arg(1);
                    Console.WriteLine("ready");
                    for (long i = 0; i < Arg(2); i++)
                    {
                        using KeyLock<long, long> scope = map.Lock(a, b);
                        scope[1] += scope[2];
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "striped-transfer":
                // Until killed: lock (a, b) and move one unit from a to b, each value a whole Whole4.
                using (var map = StripedMap<long, Whole4>.Open(name, options))
                {
                    long a = Arg(0), b = Arg(1);
                    Console.WriteLine("ready");
                    while (true)
                    {
                        using KeyLock<long, Whole4> scope = map.Lock(a, b);
                        scope[a] = Whole4.Of(scope[a].A - 1);
                        scope[b] = Whole4.Of(scope[b].A + 1);
                    }
                }
            case "striped-decide":
                // Moves 5 from key a to key b in a KeyLock, decides the commit (redo log written, lane Committing),
                // says so, and waits to be killed before writing a single cell.
                using (var map = StripedMap<long, long>.Open(name, options))
                {
                    KeyLock<long, long> scope = map.Lock(Arg(0), Arg(1), Arg(2));
                    scope[Arg(0)] -= 5;
                    scope[Arg(1)] += 5;
                    scope.Insert(Arg(2), 1);
                    scope.Decide();
                    Console.WriteLine("decided");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            case "striped-hold":
                // Locks the keys, says so, and waits to be killed.
                using (var map = StripedMap<long, long>.Open(name, options))
                {
                    using KeyLock<long, long> scope = map.Lock([.. args.Select(a => long.Parse(a, CultureInfo.InvariantCulture))]);
                    Console.WriteLine("locked");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }

    /// <summary>Adds a key through a KeyLock, again after the map grew if its stripe was full.</summary>
    public static void InsertLocked(StripedMap<long, long> map, long key, long value)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using KeyLock<long, long> scope = map.Lock(key);
                scope[key] = value;
                return;
            }
            catch (MapFullException) when (attempt < 40)
            {
                // the scope's Dispose grew the map
            }
        }
    }
}
