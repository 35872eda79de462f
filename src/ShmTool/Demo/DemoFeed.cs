using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ShmMaps.Tool.Demo;

/// <summary>
/// The demo's source of changes: appends <c>key,value</c> lines to the file the sidecar follows, every millisecond
/// a chunk of random keys and the clock key 0, each value the monotonic timestamp of its writing (comparable across
/// processes), so a reader that sees key 0 change knows how long the change took to become visible.
/// </summary>
internal sealed class DemoFeed
{
    public const long ClockKey = 0;
    private const int LinesPerChunk = 50;
    private readonly string _path;
    private readonly int _keys;

    public DemoFeed(string path, int keys)
    {
        _path = path;
        _keys = keys;
    }

    /// <summary>Lines written so far.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    private long _lines;

    /// <summary>Appends until <paramref name="stop"/> is cancelled.</summary>
    public void Run(CancellationToken stop)
    {
        var random = new Random(17);
        using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var text = new StringBuilder();
        while (!stop.IsCancellationRequested)
        {
            text.Clear();
            for (int i = 0; i < LinesPerChunk; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{1 + random.Next(_keys)},{Stopwatch.GetTimestamp()}\n");
            }
            text.Append(CultureInfo.InvariantCulture, $"{ClockKey},{Stopwatch.GetTimestamp()}\n");
            byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
            file.Write(bytes);
            file.Flush();
            // Each line is counted once it is in the file (read by the table thread).
            Interlocked.Add(ref _lines, LinesPerChunk + 1);
            Thread.Sleep(1);
        }
    }
}
