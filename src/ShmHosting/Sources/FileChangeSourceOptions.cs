namespace ShmMaps.Hosting;

/// <summary>Which file a <see cref="FileChangeSource{TKey, TValue}"/> reads and how.</summary>
public sealed class FileChangeSourceOptions
{
    /// <summary>The file of changes, one per line.</summary>
    public required string Path { get; init; }

    /// <summary>Keep reading as lines are appended (and across truncation and rotation) until shutdown; false reads the file once.</summary>
    public bool Follow { get; init; }

    /// <summary>How the lines are written.</summary>
    public LineFormat Format { get; init; } = LineFormat.Auto;

    /// <summary>How often a followed file is looked at for new lines.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The format to read: <see cref="Format"/>, or chosen by the extension when Auto.</summary>
    public LineFormat EffectiveFormat => Format != LineFormat.Auto ? Format
        : System.IO.Path.GetExtension(Path).ToLowerInvariant() is ".json" or ".jsonl" or ".ndjson" ? LineFormat.JsonLines : LineFormat.Csv;
}
