using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ShmMaps.Hosting;

namespace ShmMaps.Tests.Support;

/// <summary>A change source the test feeds by hand.</summary>
public sealed class ChannelChangeSource<TKey, TValue> : IChangeSource<TKey, TValue>
{
    private readonly Channel<MapChange<TKey, TValue>> _channel = Channel.CreateUnbounded<MapChange<TKey, TValue>>();

    public void Set(TKey key, TValue value) => _channel.Writer.TryWrite(MapChange<TKey, TValue>.Set(key, value));

    public void Remove(TKey key) => _channel.Writer.TryWrite(MapChange<TKey, TValue>.Remove(key));

    /// <summary>Changes not yet taken by the reader of the source.</summary>
    public int Pending => _channel.Reader.Count;

    public void End() => _channel.Writer.TryComplete();

    public async IAsyncEnumerable<MapChange<TKey, TValue>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (MapChange<TKey, TValue> change in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
    }
}
