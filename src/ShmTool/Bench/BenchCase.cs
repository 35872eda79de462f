namespace ShmMaps.Tool.Bench;

/// <summary>One measured operation of <c>shm bench</c>: a map's and <c>ConcurrentDictionary</c>'s, each run <c>n</c> times by a call.</summary>
/// <param name="Kind">The map kind.</param>
/// <param name="Operation">What is measured.</param>
/// <param name="Map">Runs the map's operation n times.</param>
/// <param name="Dictionary">Runs the same operation on a ConcurrentDictionary n times.</param>
internal sealed record BenchCase(string Kind, string Operation, Action<int> Map, Action<int> Dictionary);
