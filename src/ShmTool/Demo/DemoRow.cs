namespace ShmMaps.Tool.Demo;

/// <summary>One line of the demo's table: a process and what it did in the last second.</summary>
internal sealed record DemoRow(string Process, string ReadsPerSecond, string PublishesPerSecond, string VisibleP50, string VisibleP99);
