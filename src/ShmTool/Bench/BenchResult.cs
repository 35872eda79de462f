namespace ShmMaps.Tool.Bench;

/// <summary>A <see cref="BenchCase"/> measured: nanoseconds per operation of the map and of ConcurrentDictionary in the same run.</summary>
internal sealed record BenchResult(string Kind, string Operation, double MapNanoseconds, double DictionaryNanoseconds)
{
    /// <summary>The map's time over the dictionary's.</summary>
    public double Ratio => MapNanoseconds / DictionaryNanoseconds;
}
