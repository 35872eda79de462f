using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a BlobMap cross-process test does.</summary>
public static class BlobChildRoles
{
    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "blob-write":
                // Until killed (or args[3] operations, then "done"): on a random key of [from, to), the next operation of
                // that key (BlobOps), acknowledged in <name>-acked[key] once it returned; says "ready" first.
                using (var map = BlobMap.Open(name, options))
                using (var acked = SeqArray<long>.Open(name + "-acked", options))
                {
                    long from = Arg(0), to = Arg(1);
                    var random = new Random((int)Arg(2));
                    long operations = args.Length > 3 ? Arg(3) : long.MaxValue;
                    Console.WriteLine("ready");
                    try
                    {
                        for (long done = 0; ; done++)
                        {
                            if (done == operations)
                            {
                                Console.WriteLine("done");
                                return 0;
                            }
                            long key = random.NextInt64(from, to);
                            long version = Math.Abs(acked[key]) + 1;
                            BlobOps.Apply(map, key, version);
                            acked[key] = BlobOps.IsRemove(version) ? -version : version;
                        }
                    }
                    catch (Exception e)
                    {
                        File.AppendAllText(Path.Combine(options.Directory!, "errors.txt"), e + Environment.NewLine);
                        throw;
                    }
                }
            case "blob-lease-loop":
                // Until killed: leases on random keys of [from, to), each value checked whole while the lease is held
                // (its bytes after the first all one byte, BlobOps); a torn one goes to errors.txt. Says "ready" first.
                using (var map = BlobMap.Open(name, options))
                {
                    long from = Arg(0), to = Arg(1);
                    var random = new Random((int)Arg(2));
                    Console.WriteLine("ready");
                    while (true)
                    {
                        string key = BlobOps.Key(random.NextInt64(from, to));
                        if (!map.TryRead(key, out BlobLease lease))
                        {
                            continue;
                        }
                        using (lease)
                        {
                            ReadOnlySpan<byte> value = lease.Span;
                            for (int pass = 0; pass < 2; pass++)
                            {
                                if (value.Length > 1 && value[1..].ContainsAnyExcept(value[1]))
                                {
                                    File.AppendAllText(Path.Combine(options.Directory!, "errors.txt"), $"torn lease of {key}: {value.Length} bytes{Environment.NewLine}");
                                    return 1;
                                }
                                Thread.SpinWait(50); // writers replace the key meanwhile: the leased bytes must not change
                            }
                        }
                    }
                }
            case "blob-lease":
                // Takes a lease on key args[0], says "leased", and holds it until killed.
                using (var map = BlobMap.Open(name, options))
                {
                    using BlobLease lease = map.Read(args[0]);
                    Console.WriteLine("leased");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }
}
