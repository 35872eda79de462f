using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a cross-process test does.</summary>
public static class ChildRoles
{
    public static int Run(string role, string[] args)
    {
        if (role == "fuzz")
        {
            return Fuzz.FuzzChildRole.Run(args);
        }
        if (role == "fuzz-template")
        {
            // Makes the fuzzer's template of a kind, to run cases of it by hand: child fuzz DIR KIND SEED START END WORK.
            Fuzz.FuzzKind kind = Fuzz.FuzzKind.Named(args[1]);
            kind.CreateTemplate(kind.Name, Fuzz.FuzzKind.OptionsFor(args[0]));
            return 0;
        }
        if (role == "cli")
        {
            // The shm command line, its errors on stdout where the test reads them.
            return ShmMaps.Tool.Program.Run(args, Console.Out, Console.Out);
        }
        if (role == "default-map")
        {
            // A map in this user's default directory: made, written, read, deleted; prints the directory.
            using (var map = SeqMap<long, long>.OpenOrCreate(args[0], 16))
            {
                map.Insert(1, 2);
                Console.WriteLine(Path.GetDirectoryName(map.Region.Path));
                Console.WriteLine(map[1] == 2 ? "ok" : "wrong value");
            }
            SeqMap<long, long>.Delete(args[0]);
            return 0;
        }
        var options = new ShmOptions { Directory = args[0] };
        string name = args[1];
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "write-whole":
                WriteWholeForever(options, name, keys: Arg(2), seed: (int)Arg(3));
                return 0;
            case "add-range":
                Console.WriteLine(AddRange(options, name, Arg(2), Arg(3)).ToString(CultureInfo.InvariantCulture));
                return 0;
            case "grow-insert":
                GrowInsert(options, name, from: Arg(2), to: Arg(3));
                return 0;
            case "write-n":
                using (var map = SeqMap<long, long>.Open(name, options))
                {
                    for (long key = 0; key < Arg(2); key++)
                    {
                        map.Insert(key, key * 10);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "hold-lane":
                using (var map = SeqMap<long, long>.OpenOrCreate(name, 16, options))
                {
                    map.Insert(1, 1);
                    Console.WriteLine("ready");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            case "vec-push":
                using (var vec = SeqVec<long>.Open(name, options))
                {
                    for (long i = 0; i < Arg(2); i++)
                    {
                        vec.Push(i);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "create-loop":
                CreateLoop(options, name, temporaryNames: args[2] == "named");
                return 0;
            case "no-holes":
                NoHoles(options, name, GrowingKind.Named(args[2]), keys: Arg(3));
                return 0;
            case "stale-reader":
                StaleReader(options, name, GrowingKind.Named(args[2]), keys: Arg(3), go: args[4]);
                return 0;
            case not null when role.StartsWith("striped-", StringComparison.Ordinal):
                return StripedChildRoles.Run(role, options, name, args[2..]);
            case not null when role.StartsWith("leftright-", StringComparison.Ordinal):
                return LeftRightChildRoles.Run(role, options, name, args[2..]);
            case not null when role.StartsWith("blob-", StringComparison.Ordinal):
                return BlobChildRoles.Run(role, options, name, args[2..]);
            case not null when role.StartsWith("cache-", StringComparison.Ordinal):
                return CacheChildRoles.Run(role, options, name, args[2..]);
            case not null when role.StartsWith("rw-", StringComparison.Ordinal):
                return RwChildRoles.Run(role, options, name, args[2..]);
            case not null when role.StartsWith("folklore-", StringComparison.Ordinal):
                return FolkloreChildRoles.Run(role, options, name, args[2..]);
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }

    /// <summary>
    /// Creates, opens and deletes maps named <paramref name="prefix"/>0..3 of two kinds in a loop until killed, so that
    /// a kill lands mid-create; with <paramref name="temporaryNames"/> files are built under temporary names.
    /// </summary>
    private static void CreateLoop(ShmOptions options, string prefix, bool temporaryNames)
    {
        if (temporaryNames)
        {
            ShmMaps.Core.Platform.ShmPlatform.Override(new ShmMaps.Core.Platform.LinuxPlatform { UseUnnamedFiles = false });
        }
        Console.WriteLine("ready");
        for (int i = 0; ; i++)
        {
            string name = prefix + (i % 4);
            if (i % 2 == 0)
            {
                SeqMap<long, long>.OpenOrCreate(name, 50_000, options).Dispose();
                SeqMap<long, long>.Delete(name, options);
            }
            else
            {
                LeftRightMap.CreateWriter<long, long>(name + "lr", 20_000, options).Dispose();
                LeftRightMap.Delete(name + "lr", options);
            }
        }
    }

    /// <summary>
    /// Opens map <paramref name="name"/> of <paramref name="kind"/> and reads keys 0 to <paramref name="keys"/> - 1, says
    /// "ready", and sleeps until file <paramref name="go"/>.1 appears (the map grows meanwhile); then reads them all again
    /// and says "read N" (how many it found), waits for <paramref name="go"/>.2 (the file system is full by then), and
    /// writes every tenth key again (its first write claims a lane) and says "wrote N".
    /// </summary>
    private static void StaleReader(ShmOptions options, string name, GrowingKind kind, long keys, string go)
    {
        using IGrowingMap map = kind.Open(name, options);
        long found = Enumerable.Range(0, (int)keys).LongCount(i => map.TryGet(i, out _));
        Console.WriteLine($"ready {found}");
        WaitForFile(go + ".1");
        found = Enumerable.Range(0, (int)keys).LongCount(i => map.TryGet(i, out long value) && value == map.ValueOf(i));
        Console.WriteLine($"read {found}");
        WaitForFile(go + ".2");
        long wrote = 0;
        for (long i = 0; i < keys; i += 10)
        {
            map.Insert(i);
            wrote++;
        }
        Console.WriteLine($"wrote {wrote}");
    }

    /// <summary>
    /// On a file system that refuses to punch holes: grows map <paramref name="name"/> to <paramref name="keys"/> keys
    /// (its old tables cannot be given back), opens it again and writes on, and says "refused N" (the give-backs the
    /// file system refused), then "ok".
    /// </summary>
    private static void NoHoles(ShmOptions options, string name, GrowingKind kind, long keys)
    {
        var platform = new NoHolesPlatform();
        ShmMaps.Core.Platform.ShmPlatform.Override(platform);
        using (IGrowingMap map = kind.Open(name, options))
        {
            for (long i = 0; i < keys; i++)
            {
                map.Insert(i);
            }
            Thread.Sleep(200);
            map.Insert(0);
        }
        using (IGrowingMap again = kind.Open(name, options))
        {
            Thread.Sleep(200);
            again.Insert(keys);
        }
        Console.WriteLine($"refused {platform.Refused}");
        Console.WriteLine("ok");
    }

    private static void WaitForFile(string path)
    {
        while (!File.Exists(path))
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>Upserts and removes random keys with whole values until killed.</summary>
    private static void WriteWholeForever(ShmOptions options, string name, long keys, int seed)
    {
        using var map = SeqMap<long, Whole4>.Open(name, options);
        var random = new Random(seed);
        long sequence = (long)seed << 32;
        Console.WriteLine("ready");
        while (true)
        {
            long key = random.NextInt64(keys);
            if (random.Next(8) == 0)
            {
                map.TryRemove(key, out _);
            }
            else
            {
                map.Insert(key, Whole4.Of(++sequence));
            }
        }
    }

    /// <summary>
    /// Inserts keys <paramref name="from"/> to <paramref name="to"/> (value key * 10) into a map that grows meanwhile,
    /// acknowledging each one in SeqArray NAME-acked (element 0: the keys inserted so far, counted from <paramref name="from"/>).
    /// </summary>
    private static void GrowInsert(ShmOptions options, string name, long from, long to)
    {
        using var map = SeqMap<long, long>.Open(name, options);
        using var acked = SeqArray<long>.Open(name + "-acked", options);
        Console.WriteLine("ready");
        for (long key = from; key < to; key++)
        {
            map.Insert(key, key * 10);
            acked[0] = key - from + 1;
        }
        Console.WriteLine("done");
    }

    private static long AddRange(ShmOptions options, string name, long from, long to)
    {
        using var map = SeqMap<long, long>.Open(name, options);
        Console.WriteLine("ready");
        long added = 0;
        for (long key = from; key < to; key++)
        {
            added += map.TryAdd(key, Environment.ProcessId) ? 1 : 0;
        }
        return added;
    }
}
