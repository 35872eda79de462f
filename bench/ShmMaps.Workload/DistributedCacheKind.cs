using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ShmMaps.Caching;

namespace ShmMaps.Workload;

/// <summary>
/// A cache behind <see cref="IDistributedCache"/>, as an application uses one: <c>cache-shm</c>
/// (<see cref="ShmDistributedCache"/>, shared by the processes), <c>cache-memory</c> (<see cref="MemoryDistributedCache"/>,
/// one process: the in-process bound), <c>cache-redis</c> (<see cref="RedisDistributedCache"/> on loopback). Keys are the
/// 16 hex digits of the key, values of the run's size with the stamp in the first 8 bytes, each set with an absolute
/// expiration an hour away; a get returns a new array. No increment: a cache has none.
/// </summary>
internal sealed class DistributedCacheKind(string flavour) : StoreKind
{
    private static readonly DistributedCacheEntryOptions s_entry = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
    private MemoryDistributedCache? _memory;

    public override string Name => $"cache-{flavour}";

    public override bool InProcess => flavour == "memory";

    public override string? Unfit(Mix mix, int valueSize) =>
        mix == Mix.Increment ? "a cache has no increment" : valueSize < 8 ? "values of at least 8 bytes (the stamp)" : null;

    public override void Load(RunSpec spec)
    {
        if (flavour == "redis")
        {
            using var flush = new RespClient(RedisKind.Port);
            flush.Command("FLUSHALL"u8);
            flush.Flush();
            flush.Reply();
        }
        IDistributedCache cache = Open(spec);
        byte[] value = new byte[spec.ValueSize];
        for (long i = 0; i < spec.Keys; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, Initial(i));
            cache.Set(KeyOf(i), value, s_entry);
        }
        if (cache is IDisposable disposable && flavour != "memory")
        {
            disposable.Dispose();
        }
    }

    public override IStore Open(RunSpec spec, int worker) => new Handle(Open(spec), spec.ValueSize, dispose: flavour != "memory");

    public override long? MemoryBytes(RunSpec spec) => null;

    public override void Drop(RunSpec spec)
    {
        switch (flavour)
        {
            case "shm":
                BlobMap.Delete(spec.MapName, new ShmOptions { Directory = spec.Directory });
                break;
            case "memory":
                _memory = null;
                break;
        }
    }

    private IDistributedCache Open(RunSpec spec) => flavour switch
    {
        "shm" => new ShmDistributedCache(new ShmDistributedCacheOptions { MapName = spec.MapName, Directory = spec.Directory, Capacity = spec.Keys }),
        "memory" => _memory ??= new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())),
        _ => new RedisDistributedCache(new RespClient(RedisKind.Port)),
    };

    private static string KeyOf(long index) => Encoding.ASCII.GetString(KeyChooser.HexNameOf(index, stackalloc byte[16]));

    private sealed class Handle(IDistributedCache cache, int valueSize, bool dispose) : IStore
    {
        private readonly byte[] _write = new byte[valueSize];

        public long Get(long index) => cache.Get(KeyOf(index)) is { } value ? BinaryPrimitives.ReadInt64LittleEndian(value) : 0;

        public void Put(long index, long stamp)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_write, stamp);
            cache.Set(KeyOf(index), _write, s_entry);
        }

        public void Increment(long index) => throw new NotSupportedException("a cache has no increment");

        public void Dispose()
        {
            if (dispose && cache is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }
}
