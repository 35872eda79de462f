using System.Globalization;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace ShmMaps.Workload;

/// <summary>
/// The peer of the cache runs: an <see cref="IDistributedCache"/> over Redis on loopback through the driver's
/// <see cref="RespClient"/> (one connection, each command waits for its reply). Enough for the runs: GET, SET with an
/// absolute expiration (PX), DEL; a sliding expiration is refused (Redis keeps none).
/// </summary>
internal sealed class RedisDistributedCache(RespClient client) : IDistributedCache, IDisposable
{
    private static readonly byte[] s_get = "GET"u8.ToArray();
    private static readonly byte[] s_set = "SET"u8.ToArray();
    private static readonly byte[] s_del = "DEL"u8.ToArray();
    private static readonly byte[] s_px = "PX"u8.ToArray();
    private readonly byte[] _key = new byte[256];

    public byte[]? Get(string key)
    {
        client.Command(s_get, Key(key), arguments: 2);
        client.Flush();
        return client.ReplyBytes();
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        if (options.SlidingExpiration is not null)
        {
            throw new NotSupportedException("the Redis peer of the workload keeps no sliding expiration");
        }
        TimeSpan? life = options.AbsoluteExpirationRelativeToNow ?? (options.AbsoluteExpiration - DateTimeOffset.UtcNow);
        if (life is { } ttl)
        {
            client.Command(s_set, Key(key), value, 5, s_px, Encoding.ASCII.GetBytes(((long)ttl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            client.Command(s_set, Key(key), value, 3);
        }
        client.Flush();
        client.Reply();
    }

    public void Refresh(string key)
    {
    }

    public void Remove(string key)
    {
        client.Command(s_del, Key(key), arguments: 2);
        client.Flush();
        client.Reply();
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    public void Dispose() => client.Dispose();

    private ReadOnlySpan<byte> Key(string key) => _key.AsSpan(0, Encoding.UTF8.GetBytes(key, _key));
}
