using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ShmMaps.Hosting;

/// <summary>
/// Changes from a file of lines (<c>key,value</c> or JSON lines; see <see cref="LineFormat"/>), read once or followed.
/// </summary>
/// <remarks>
/// Following, the file is polled: appended lines are read as they come (a line is taken once its newline is
/// there); a file that became shorter than what was read (truncated), or whose first bytes changed (rotated: a new
/// file under the same name), is read again from its start; a missing file is waited for. A line that does not
/// parse is logged with its line number and skipped. Nothing a file holds stops the source.
/// </remarks>
/// <typeparam name="TKey">The key type, parsed invariantly.</typeparam>
/// <typeparam name="TValue">The value type, parsed invariantly.</typeparam>
public sealed class FileChangeSource<TKey, TValue> : IChangeSource<TKey, TValue>
    where TKey : ISpanParsable<TKey>
    where TValue : ISpanParsable<TValue>
{
    private const int FingerprintLength = 64;
    private readonly FileChangeSourceOptions _options;
    private readonly ILogger _logger;
    private readonly ShmMapsMetrics? _metrics;

    /// <summary>Creates the source; <paramref name="metrics"/> counts bad lines when given.</summary>
    public FileChangeSource(FileChangeSourceOptions options, ILogger<FileChangeSource<TKey, TValue>> logger, ShmMapsMetrics? metrics = null)
    {
        _options = options;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Lines skipped because they did not parse.</summary>
    public long BadLines { get; private set; }

    /// <inheritdoc/>
    public async IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LineFormat format = _options.EffectiveFormat;
        long position = 0;
        long lineNumber = 0;
        byte[] fingerprint = [];
        var pending = new List<byte>();
        byte[] buffer = new byte[64 * 1024];
        bool waitedForFile = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            FileStream? file = Open();
            if (file is null)
            {
                if (!_options.Follow)
                {
                    throw new FileNotFoundException($"change file '{_options.Path}' does not exist", _options.Path);
                }
                if (!waitedForFile)
                {
                    _logger.LogWarning("{Path}: no such file yet; waiting for it", _options.Path);
                    waitedForFile = true;
                }
                await Delay(cancellationToken);
                continue;
            }
            var changes = new List<MapChange<TKey, TValue>>();
            using (file)
            {
                waitedForFile = false;
                if (position > 0 && (file.Length < position || !StartsWith(file, fingerprint)))
                {
                    _logger.LogWarning("{Path}: the file was {What}; reading it again from the start",
                        _options.Path, file.Length < position ? "truncated" : "replaced (rotated)");
                    position = 0;
                    lineNumber = 0;
                    pending.Clear();
                }
                if (position == 0)
                {
                    fingerprint = ReadFingerprint(file);
                }
                if (fingerprint.Length < FingerprintLength && file.Length > fingerprint.Length)
                {
                    fingerprint = ReadFingerprint(file);   // the first bytes are still being written
                }
                file.Position = position;
                int read;
                while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
                {
                    position += read;
                    int start = 0;
                    for (int i = 0; i < read; i++)
                    {
                        if (buffer[i] != (byte)'\n')
                        {
                            continue;
                        }
                        pending.AddRange(buffer.AsSpan(start, i - start));
                        Take(pending, ++lineNumber, format, changes);
                        pending.Clear();
                        start = i + 1;
                    }
                    pending.AddRange(buffer.AsSpan(start, read - start));
                }
            }
            foreach (MapChange<TKey, TValue> change in changes)
            {
                yield return change;
            }
            if (!_options.Follow)
            {
                if (pending.Count > 0)
                {
                    var last = new List<MapChange<TKey, TValue>>();
                    Take(pending, ++lineNumber, format, last);
                    foreach (MapChange<TKey, TValue> change in last)
                    {
                        yield return change;
                    }
                }
                yield break;
            }
            await Delay(cancellationToken);
        }
    }

    private void Take(List<byte> line, long lineNumber, LineFormat format, List<MapChange<TKey, TValue>> changes)
    {
        string text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line));
        if (ChangeLine.TryParse(text, format, out MapChange<TKey, TValue> change, out string? error))
        {
            changes.Add(change);
        }
        else if (error is not null)
        {
            BadLines++;
            _metrics?.RecordBadLine(_options.Path);
            _logger.LogWarning("{Path}:{Line}: {Error}; line skipped", _options.Path, lineNumber, error);
        }
    }

    private FileStream? Open()
    {
        try
        {
            return new FileStream(_options.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static byte[] ReadFingerprint(FileStream file)
    {
        file.Position = 0;
        byte[] bytes = new byte[(int)Math.Min(FingerprintLength, file.Length)];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static bool StartsWith(FileStream file, byte[] fingerprint)
    {
        if (file.Length < fingerprint.Length)
        {
            return false;
        }
        file.Position = 0;
        byte[] bytes = new byte[fingerprint.Length];
        file.ReadExactly(bytes);
        return bytes.AsSpan().SequenceEqual(fingerprint);
    }

    private async Task Delay(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.PollInterval, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The loop ends on the token.
        }
    }
}
