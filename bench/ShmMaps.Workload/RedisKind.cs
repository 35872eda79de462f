using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrHistogram;

namespace ShmMaps.Workload;

/// <summary>
/// Redis on loopback (<c>bench/peers.sh start</c>: port 6399, no persistence), one connection per process, 8-byte binary
/// keys. <c>redis</c> waits for each reply; <c>redis-pipelined</c> sends 16 commands at a time and reads their 16 replies
/// (each operation's latency is its batch's round trip). Counters are kept as decimal text, which INCRBY needs.
/// </summary>
internal sealed class RedisKind(bool pipelined) : StoreKind
{
    public const int Port = 6399;
    private const int Batch = 16;
    private static readonly byte[] s_get = "GET"u8.ToArray();
    private static readonly byte[] s_set = "SET"u8.ToArray();
    private static readonly byte[] s_incrby = "INCRBY"u8.ToArray();
    private static readonly byte[] s_one = "1"u8.ToArray();
    private long _baseline;

    public override string Name => pipelined ? "redis-pipelined" : "redis";

    public override void Load(RunSpec spec)
    {
        using var client = new RespClient(Port);
        client.Command("FLUSHALL"u8);
        client.Flush();
        client.Reply();
        _baseline = UsedMemory(client);
        byte[] value = new byte[spec.ValueSize];
        Span<byte> key = stackalloc byte[8];
        for (long start = 0; start < spec.Keys; start += 1000)
        {
            long end = Math.Min(start + 1000, spec.Keys);
            for (long i = start; i < end; i++)
            {
                BitConverter.TryWriteBytes(key, KeyChooser.KeyOf(i));
                ReadOnlySpan<byte> initial = spec.Mix == Mix.Increment
                    ? Encoding.ASCII.GetBytes(Initial(i).ToString(CultureInfo.InvariantCulture))
                    : Stamp(value, Initial(i));
                client.Command(s_set, key, initial, 3);
            }
            client.Flush();
            for (long i = start; i < end; i++)
            {
                client.Reply();
            }
        }
    }

    public override IStore Open(RunSpec spec, int worker) => new Handle(new RespClient(Port), spec.ValueSize, pipelined ? Batch : 1);

    public override long? MemoryBytes(RunSpec spec)
    {
        using var client = new RespClient(Port);
        return UsedMemory(client) - _baseline;
    }

    public override void Drop(RunSpec spec)
    {
        using var client = new RespClient(Port);
        client.Command("FLUSHALL"u8);
        client.Flush();
        client.Reply();
    }

    private static long UsedMemory(RespClient client)
    {
        client.Command("INFO"u8, "memory"u8, arguments: 2);
        client.Flush();
        string info = client.ReplyText();
        string line = info.Split("\r\n").First(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
    }

    private static ReadOnlySpan<byte> Stamp(byte[] value, long stamp)
    {
        BitConverter.TryWriteBytes(value, stamp);
        return value;
    }

    private sealed class Handle(RespClient client, int valueSize, int batch) : IStore, ISelfTimedStore
    {
        private readonly byte[] _value = new byte[valueSize];
        private readonly byte[] _key = new byte[8];
        private int _queued;
        private long _batchStart;

        public HistogramBase? Latencies { private get; set; }

        public long Get(long index)
        {
            BitConverter.TryWriteBytes(_key, KeyChooser.KeyOf(index));
            client.Command(s_get, _key, arguments: 2);
            return Sent();
        }

        public void Put(long index, long stamp)
        {
            BitConverter.TryWriteBytes(_key, KeyChooser.KeyOf(index));
            client.Command(s_set, _key, Stamp(_value, stamp), 3);
            Sent();
        }

        public void Increment(long index)
        {
            BitConverter.TryWriteBytes(_key, KeyChooser.KeyOf(index));
            client.Command(s_incrby, _key, s_one, 3);
            Sent();
        }

        public void Dispose()
        {
            if (_queued > 0)
            {
                Exchange();
            }
            client.Dispose();
        }

        /// <summary>Once the batch is full: sends it, reads its replies, and records its round trip for each of its operations.</summary>
        private long Sent()
        {
            if (_queued++ == 0)
            {
                _batchStart = Stopwatch.GetTimestamp();
            }
            return _queued == batch ? Exchange() : 0;
        }

        private long Exchange()
        {
            client.Flush();
            long last = 0;
            for (int i = 0; i < _queued; i++)
            {
                last = client.Reply();
            }
            Latencies?.RecordValueWithCount((long)((Stopwatch.GetTimestamp() - _batchStart) * (1e9 / Stopwatch.Frequency)), _queued);
            _queued = 0;
            return last;
        }
    }
}
