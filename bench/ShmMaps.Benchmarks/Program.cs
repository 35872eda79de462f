using System.Globalization;
using BenchmarkDotNet.Running;

namespace ShmMaps.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project bench/ShmMaps.Benchmarks -- --filter '*'</c>; or, with
/// <c>--interleaved [class name part] [rounds]</c>, each beside its baseline in turns (see <see cref="InterleavedRatios"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--interleaved")
        {
            InterleavedRatios.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15, Console.Out);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
    }
}
