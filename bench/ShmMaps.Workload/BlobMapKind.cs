using System.Buffers.Binary;

namespace ShmMaps.Workload;

/// <summary>
/// <see cref="BlobMap"/>: the key's 16 hex digits as a UTF-8 key and a value of the run's size as bytes (its stamp in
/// the first 8), the same bytes LMDB and Redis hold. A get copies the value into the handle's buffer; an increment is
/// <see cref="BlobMap.AddOrUpdate"/> (read, then a compare-and-set).
/// </summary>
internal sealed class BlobMapKind : ShmMapsKind
{
    public override string Name => "blobmap";

    public override void Load(RunSpec spec)
    {
        using var map = BlobMap.Create(spec.MapName, spec.Keys, Options(spec));
        Span<byte> name = stackalloc byte[16];
        byte[] value = new byte[spec.ValueSize];
        for (long i = 0; i < spec.Keys; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, Initial(i));
            map.Set(KeyChooser.HexNameOf(i, name), value);
        }
    }

    public override IStore Open(RunSpec spec, int worker) => new Handle(BlobMap.Open(spec.MapName, Options(spec)), spec.ValueSize);


    private sealed class Handle(BlobMap map, int valueSize) : IStore
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _read = new(Math.Max(valueSize, 8));
        private readonly byte[] _write = new byte[valueSize];

        public long Get(long index)
        {
            Span<byte> name = stackalloc byte[16];
            _read.ResetWrittenCount();
            return map.TryGetValue(KeyChooser.HexNameOf(index, name), _read) ? BinaryPrimitives.ReadInt64LittleEndian(_read.WrittenSpan) : 0;
        }

        public void Put(long index, long stamp)
        {
            Span<byte> name = stackalloc byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(_write, stamp);
            map.Set(KeyChooser.HexNameOf(index, name), _write);
        }

        public void Increment(long index)
        {
            Span<byte> name = stackalloc byte[16];
            map.AddOrUpdate(System.Text.Encoding.ASCII.GetString(KeyChooser.HexNameOf(index, name)), _write, static current =>
            {
                BinaryPrimitives.WriteInt64LittleEndian(current, BinaryPrimitives.ReadInt64LittleEndian(current) + 1);
                return current;
            });
        }

        public void Dispose() => map.Dispose();
    }
}
