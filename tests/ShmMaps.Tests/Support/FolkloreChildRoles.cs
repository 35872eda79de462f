using System.Globalization;
using System.Text;
using ShmMaps.Core.Hashing;

namespace ShmMaps.Tests.Support;

/// <summary>What a child process of a FolkloreMap cross-process test does.</summary>
public static class FolkloreChildRoles
{
    /// <summary>The key a counting child increments at step <paramref name="step"/> (non-ASCII included).</summary>
    public static string CounterKey(string prefix, long step, int keys) => $"{prefix}-zähler-{step % keys}";

    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
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
                    map.Keys.Add(key, XxHash3.Hash(key, map.Region.HashSeed), map.Region.Lanes.Current.OwnerTag);
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
