using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace ShmMaps.Benchmarks;

/// <summary>
/// Runs the benchmarks of each category beside their baseline in turns within one process and reports, per
/// benchmark, the median of the per-round ratios to the baseline. On a shared machine whose load changes from
/// minute to minute, BenchmarkDotNet measures a benchmark and its peer a minute apart and their ratio moves with
/// the load; measured in turns within the same second, the rounds of a run agree closely (runs still differ: each
/// places the maps in new memory). BenchmarkDotNet gives the times; this gives ratios steady enough to tell
/// whether a change moved one.
/// <c>dotnet run -c Release --project bench/ShmMaps.Benchmarks -- --interleaved [class name part] [rounds]</c>
/// (every value of a class's first <c>[Params]</c>; the first value of any other).
/// </summary>
public static class InterleavedRatios
{
    /// <summary>
    /// How long each benchmark runs per turn: long enough that refilling caches and TLB after the other's turn
    /// is a small part of it (20 ms turns put the StripedMap get at 0.83 of its peer, 200 ms at 0.76).
    /// </summary>
    private static readonly TimeSpan Turn = TimeSpan.FromMilliseconds(200);

    public static void Run(string? classFilter, int rounds, TextWriter output)
    {
        IEnumerable<Type> classes = typeof(InterleavedRatios).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && Benchmarks(type).Any())
            .Where(type => classFilter is null || type.Name.Contains(classFilter, StringComparison.OrdinalIgnoreCase))
            .OrderBy(type => type.Name, StringComparer.Ordinal);
        foreach (Type type in classes)
        {
            RunClass(type, rounds, output);
        }
    }

    /// <summary>Runs every category of <paramref name="type"/> once per value of its parameter (the first value of any other).</summary>
    private static void RunClass(Type type, int rounds, TextWriter output)
    {
        PropertyInfo[] parameters = [.. type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null)];
        object?[] values = parameters.Length == 0 ? [null] : parameters[0].GetCustomAttribute<ParamsAttribute>()!.Values;
        foreach (object? value in values)
        {
            object instance = Activator.CreateInstance(type)!;
            for (int p = 0; p < parameters.Length; p++)
            {
                parameters[p].SetValue(instance, p == 0 ? value : parameters[p].GetCustomAttribute<ParamsAttribute>()!.Values[0]);
            }
            string name = parameters.Length == 0 ? type.Name : string.Create(CultureInfo.InvariantCulture, $"{type.Name}({value})");
            RunInstance(instance, name, rounds, output);
        }
    }

    private static void RunInstance(object instance, string name, int rounds, TextWriter output)
    {
        Type type = instance.GetType();
        InvokeMarked<GlobalSetupAttribute>(instance);
        try
        {
            foreach (IGrouping<string, MethodInfo> category in Benchmarks(type).GroupBy(Category))
            {
                MethodInfo? baseline = category.FirstOrDefault(m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline);
                if (baseline is not null)
                {
                    RunCategory(instance, name, category.Key, [baseline, .. category.Where(m => m != baseline)], rounds, output);
                }
            }
        }
        finally
        {
            InvokeMarked<GlobalCleanupAttribute>(instance);
        }
    }

    /// <summary>Measures <paramref name="methods"/> (the baseline first) in turns, a rotating order each round.</summary>
    private static void RunCategory(object instance, string className, string category, MethodInfo[] methods, int rounds, TextWriter output)
    {
        var perOperation = methods.Select(_ => new List<double>()).ToArray();
        var ratios = methods.Select(_ => new List<double>()).ToArray();
        const int warmupRounds = 3; // past tiered compilation (a method reaches its final code after ~100 ms of calls)
        for (int round = -warmupRounds; round < rounds; round++)
        {
            var nanoseconds = new double[methods.Length];
            for (int turn = 0; turn < methods.Length; turn++)
            {
                int m = (turn + Math.Max(round, 0)) % methods.Length;
                nanoseconds[m] = NanosecondsPerOperation(instance, methods[m]);
            }
            for (int m = 0; round >= 0 && m < methods.Length; m++)
            {
                perOperation[m].Add(nanoseconds[m]);
                ratios[m].Add(nanoseconds[m] / nanoseconds[0]);
            }
        }
        for (int m = 0; m < methods.Length; m++)
        {
            double[] sorted = [.. ratios[m].Order()];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{className,-34} {category,-12} {methods[m].Name,-30} {Median(perOperation[m]),8:F1} ns   ratio {sorted[sorted.Length / 2],5:F2} (middle half {sorted[sorted.Length / 4]:F2}–{sorted[(3 * sorted.Length) / 4]:F2}, {rounds} rounds)"));
        }
    }

    private static double NanosecondsPerOperation(object instance, MethodInfo method)
    {
        int operationsPerCall = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
        long calls = 0;
        long started = Stopwatch.GetTimestamp();
        TimeSpan elapsed;
        do
        {
            method.Invoke(instance, null);
            calls++;
            elapsed = Stopwatch.GetElapsedTime(started);
        }
        while (elapsed < Turn);
        return elapsed.TotalNanoseconds / (calls * operationsPerCall);
    }

    private static IEnumerable<MethodInfo> Benchmarks(Type type) =>
        type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);

    private static string Category(MethodInfo method) =>
        method.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories.FirstOrDefault() ?? "";

    private static void InvokeMarked<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (MethodInfo method in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
