using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace ShmMaps.Hosting;

/// <summary>
/// Changes of text values (a change file's) as changes of a <see cref="BlobMap"/>'s bytes, in <see cref="BlobValueFormat"/>;
/// a value that is not of the format is logged and skipped, as a line that does not parse is.
/// </summary>
public sealed class BlobChangeSource(IChangeSource<string, string> text, BlobValueFormat format, ILogger<BlobChangeSource> logger) : IChangeSource<string, byte[]>
{
    /// <inheritdoc/>
    public async IAsyncEnumerable<MapChange<string, byte[]>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (MapChange<string, string> change in text.ReadAsync(cancellationToken))
        {
            if (change.IsRemoval)
            {
                yield return MapChange<string, byte[]>.Remove(change.Key) with { Position = change.Position };
                continue;
            }
            byte[] value;
            try
            {
                value = BlobValueFormats.ToBytes(change.Value, format);
            }
            catch (FormatException e)
            {
                logger.LogWarning("key '{Key}': skipped, {Reason}", change.Key, e.Message);
                continue;
            }
            yield return MapChange<string, byte[]>.Set(change.Key, value) with { Position = change.Position };
        }
    }

    /// <inheritdoc/>
    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken) => text.PublishedAsync(position, cancellationToken);

    /// <inheritdoc/>
    public ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken) => text.NotPublishedAsync(position, reason, cancellationToken);
}
