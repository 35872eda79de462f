using System.Globalization;
using System.Text;
using ShmMaps.Core.Hashing;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a FolkloreMap cross-process test does.</summary>
public static class FolkloreChildRoles
{
    /// <summary>The key a counting child increments at step <paramref name="step"/> (non-ASCII included).</summary>
    public static string CounterKey(string prefix, long step, int keys) => $"{prefix}-zähler-{step % keys}";

    /// <summary>Key <paramref name="i"/> of a growth test: short, register-sized and long (past a slot's 40 bytes) in turn.</summary>
    public static string GrowthKey(long i) => (i % 3) switch
    {
        0 => $"g{i}",
        1 => $"growth key {i:D12}",
        _ => $"a growth key long enough for the key byte region, number {i}",
    };

    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "folklore-grow":
                // Adds keys from .. to - 1 (GrowthKey(i) = i), acknowledging each in <name>-acked[0]; says "ready" first.
                using (var map = FolkloreMap<int>.Open(name, options))
                using (var acked = SeqArray<long>.Open(name + "-acked", options))
                {
                    Console.WriteLine("ready");
                    for (long i = Arg(0); i < Arg(1); i++)
                    {
                        map.Insert(GrowthKey(i), (int)i);
                        acked[0] = i - Arg(0) + 1;
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "folklore-count":
                // Increments key (step mod keys) for steps 0 .. n-1 (forever when n is 0), printing "ready" first.
                using (var map = FolkloreMap<int>.Open(name, options))
                {
                    string prefix = args[0];
                    int keys = (int)Arg(1);
                    long steps = Arg(2);
                    Console.WriteLine("ready");
                    for (long step = 0; steps == 0 || step < steps; step++)
                    {
                        map.AddOrUpdate(CounterKey(prefix, step, keys), 1, static v => v + 1);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "folklore-orphan":
                // Writes a key's bytes into the key store, as an adder does before its CAS, then waits to be killed.
                using (var map = FolkloreMap<int>.Open(name, options))
                {
                    byte[] key = Encoding.UTF8.GetBytes(args[0]);
                    map.Keys.Add(key, XxHash3.Hash(key, map.Region.HashSeed), map.Region.Lanes.Current.OwnerTag, map.KeySlotCount);
                    Console.WriteLine("ready");
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }
}
