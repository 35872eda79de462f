namespace ShmMaps.Tool.Demo;

/// <summary>What a demo worker prints once a second (one JSON line).</summary>
internal sealed record WorkerReport(string Role, int Id, int Second, long Operations, double VisibleP50Micros, double VisibleP99Micros, bool Done);
