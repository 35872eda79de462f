namespace ShmMaps.Tool.Demo;

/// <summary>A demo entry: which write made it and when (a monotonic timestamp, comparable across processes).</summary>
internal readonly record struct DemoValue(long Sequence, long WrittenTimestamp);
