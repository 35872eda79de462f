using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ShmMaps.Hosting;

namespace ShmMaps.Tests.Support;

/// <summary>A change source the test feeds by hand.</summary>
public sealed class ChannelChangeSource<TKey, TValue> : IChangeSource<TKey, TValue>
{
    private readonly Channel<MapChange<TKey, TValue>> _channel = Channel.CreateUnbounded<MapChange<TKey, TValue>>();

    private long _position;

    /// <summary>The last position the writer confirmed published.</summary>
    public ulong Confirmed { get; private set; }

    /// <summary>Why the writer could not publish, once it said so.</summary>
    public string? NotPublished { get; private set; }

    /// <summary>Sets <paramref name="key"/>; each change carries the next position (1, 2, ...).</summary>
    public void Set(TKey key, TValue value) =>
        _channel.Writer.TryWrite(MapChange<TKey, TValue>.Set(key, value) with { Position = (ulong)Interlocked.Increment(ref _position) });

    public void Remove(TKey key) => _channel.Writer.TryWrite(MapChange<TKey, TValue>.Remove(key));

    /// <summary>Changes not yet taken by the reader of the source.</summary>
    public int Pending => _channel.Reader.Count;

    public void End() => _channel.Writer.TryComplete();

    public ValueTask PublishedAsync(ulong position, CancellationToken cancellationToken)
    {
        Confirmed = Math.Max(Confirmed, position);
        return ValueTask.CompletedTask;
    }

    public ValueTask NotPublishedAsync(ulong position, string reason, CancellationToken cancellationToken)
    {
        NotPublished = reason;
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (MapChange<TKey, TValue> change in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
    }
}
