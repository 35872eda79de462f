namespace ShmMaps.Hosting;

/// <summary>How a change file writes its changes, one per line.</summary>
public enum LineFormat
{
    /// <summary>By the file's extension: <c>.json</c>, <c>.jsonl</c> and <c>.ndjson</c> are JSON lines, anything else CSV.</summary>
    Auto,

    /// <summary><c>key,value</c> sets the key; <c>key,</c> removes it.</summary>
    Csv,

    /// <summary><c>{"key": 1, "value": 2.5}</c> sets the key; <c>{"key": 1, "remove": true}</c> removes it.</summary>
    JsonLines,
}
