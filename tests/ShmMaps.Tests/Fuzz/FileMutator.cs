using System.Buffers.Binary;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Region;
using ShmMaps.Core.Registry;

namespace ShmMaps.Tests.Fuzz;

/// <summary>
/// Damages a copy of a map file where it hurts: at aligned offsets of the header (with its checksum made right
/// again, mostly, so that the damage reaches the kind's own checks), the counters, the lane records, the start of
/// every region and random places in it, with values that make offsets, lengths and counts go wrong (0, -1, the
/// limits of 32 and 64 bits, offsets at and past the end, lock words naming a lane), or cuts the file short.
/// Case <c>i</c> of a seed is always the same damage.
/// </summary>
public sealed class FileMutator
{
    private readonly byte[] _template;
    private readonly long[] _regionOffsets;
    private readonly long[] _regionLengths;
    private readonly int _laneCount;
    private readonly int _laneSize;

    public FileMutator(byte[] template)
    {
        _template = template;
        int regions = BinaryPrimitives.ReadInt32LittleEndian(template.AsSpan(56));
        _laneCount = BinaryPrimitives.ReadInt32LittleEndian(template.AsSpan(28));
        _laneSize = BinaryPrimitives.ReadInt32LittleEndian(template.AsSpan(60));
        _regionOffsets = new long[regions];
        _regionLengths = new long[regions];
        for (int i = 0; i < regions; i++)
        {
            _regionOffsets[i] = BinaryPrimitives.ReadInt64LittleEndian(template.AsSpan(448 + (16 * i)));
            _regionLengths[i] = BinaryPrimitives.ReadInt64LittleEndian(template.AsSpan(448 + (16 * i) + 8));
        }
    }

    /// <summary>The damaged bytes of case <paramref name="index"/> of <paramref name="seed"/>, and what was done.</summary>
    public (byte[] Bytes, string Damage) Mutate(int seed, int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        byte[] bytes = (byte[])_template.Clone();
        var damage = new List<string>();
        if (random.Next(20) == 0)
        {
            int length = random.Next(4) switch
            {
                0 => random.Next(MapHeader.Size),
                1 => (int)Math.Min(_regionOffsets[random.Next(_regionOffsets.Length)], bytes.Length),
                _ => random.Next(MapHeader.Size, bytes.Length) & ~7,
            };
            damage.Add($"truncate to {length}");
            return (bytes[..length], string.Join("; ", damage));
        }
        if (random.Next(3) == 0)
        {
            DeadWriter(random, bytes, damage);
            return (bytes, string.Join("; ", damage));
        }
        bool headerTouched = false;
        int mutations = random.Next(6) == 0 ? random.Next(2, 4) : 1;
        for (int m = 0; m < mutations; m++)
        {
            (long offset, int width) = Target(random);
            ulong value = Value(random, bytes, offset, width);
            Write(bytes, offset, width, value);
            damage.Add($"[{offset}] u{width * 8} = 0x{value:X}");
            headerTouched |= offset < MapHeader.ChecksummedLength;
        }
        if (headerTouched && random.Next(10) != 0)
        {
            ulong checksum = XxHash3.Hash(bytes.AsSpan(0, MapHeader.ChecksummedLength));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(MapHeader.ChecksummedLength), checksum);
            damage.Add("checksum made right");
        }
        return (bytes, string.Join("; ", damage));
    }

    /// <summary>
    /// A writer that died mid-write, as a damaged file may tell it: a word of a region locked by a lane of the
    /// template (whose holder is gone), and that lane's record naming it, with lengths, offsets, counts and scope
    /// fields that may be right or wrong.
    /// </summary>
    private void DeadWriter(Random random, byte[] bytes, List<string> damage)
    {
        int lane = random.Next(_laneCount);
        long record = _regionOffsets[0] + ((long)lane * _laneSize);
        uint generation = Math.Max(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)record)), 1);
        int region = random.Next(1, _regionOffsets.Length);
        long length = Math.Min(_regionLengths[region], bytes.Length - _regionOffsets[region]);
        long word = _regionOffsets[region] + (random.NextInt64(Math.Max(Math.Min(length, 4096) / 8, 1)) * 8);
        ulong locked = random.Next(4) == 0
            ? ((ulong)random.Next(4) << 32) | (1UL << 31) | (uint)random.Next(1 << 30) // an RwStore element word, live, any holders
            : ((ulong)random.Next(8) << 32) | ((ulong)(ushort)generation << 16) | ((ulong)lane << 1) | 1;
        Set(bytes, word, 8, locked, damage);
        int undoCapacity = _laneSize - LaneRecord.Size;
        Set(bytes, record + 32, 4, (ulong)random.Next(6), damage);                                       // intent state
        Set(bytes, record + 40, 8, random.Next(5) != 0 ? (ulong)word : Value(random, bytes, record + 40, 8), damage);
        Set(bytes, record + 48, 8, random.Next(3) switch { 0 => (ulong)word + 8, 1 => (ulong)word + 12, _ => Value(random, bytes, record + 48, 8) }, damage);
        ulong[] undoLengths = [0, 4, 20, (ulong)undoCapacity, (ulong)undoCapacity + 8, (ulong)_laneSize, 1 << 20, uint.MaxValue];
        Set(bytes, record + 36, 4, undoLengths[random.Next(undoLengths.Length)], damage);
        Set(bytes, record + 56, 8, random.Next(2) == 0 ? (ulong)random.Next(-2, 60) : Value(random, bytes, record + 56, 8), damage);
        if (random.Next(3) == 0)
        {
            Set(bytes, record + 64, 8, random.Next(2) == 0 ? (ulong)word : Value(random, bytes, record + 64, 8), damage);
        }
        if (random.Next(3) == 0)
        {
            // A scope being committed, with a redo log whose records may run anywhere.
            Set(bytes, record + 76, 4, 1, damage);
            Set(bytes, record + 80, 4, random.Next(4) == 0 ? uint.MaxValue : (ulong)random.Next(1, 4), damage);
            ulong[] starts = [0, 8, (ulong)undoCapacity - 8, (ulong)undoCapacity, uint.MaxValue];
            ulong start = starts[random.Next(starts.Length)];
            Set(bytes, record + 84, 4, start, damage);
            long log = record + LaneRecord.Size + (long)Math.Min(start, (ulong)Math.Max(undoCapacity - 24, 0));
            if (log + 24 <= record + _laneSize)
            {
                Set(bytes, log, 8, (ulong)word, damage);
                Set(bytes, log + 8, 8, random.Next(2) == 0 ? (ulong)word + 8 : Value(random, bytes, log + 8, 8), damage);
                Set(bytes, log + 16, 4, random.Next(2) == 0 ? 8 : Value(random, bytes, log + 16, 4), damage);
            }
        }
        if (random.Next(4) == 0)
        {
            Set(bytes, record + 96, 4, (ulong)(uint)random.Next(-1, _laneCount + 2), damage);
        }
    }

    private static void Set(byte[] bytes, long offset, int width, ulong value, List<string> damage)
    {
        if (offset < 0 || offset + width > bytes.Length)
        {
            return;
        }
        Write(bytes, offset, width, value);
        damage.Add($"[{offset}] u{width * 8} = 0x{value:X}");
    }

    private (long Offset, int Width) Target(Random random)
    {
        int width = random.Next(3) == 0 ? 4 : 8;
        switch (random.Next(7))
        {
            case 0:
                return (random.Next(8, MapHeader.ChecksummedLength / width) * width, width);
            case 1:
                // The counters the kinds use are the first few.
                return (MapHeader.CountersOffset + (random.Next(random.Next(2) == 0 ? 2 : MapHeader.SlotCount) * ShmMaps.Core.Memory.CacheLine.Size), 8);
            case 2:
            {
                long lane = _regionOffsets[0] + ((long)random.Next(_laneCount) * _laneSize);
                int within = random.Next(5) == 0 ? random.Next(_laneSize / width) * width : random.Next(LaneRecord.Size / width) * width;
                return (lane + within, width);
            }
            default:
            {
                int region = random.Next(1, _regionOffsets.Length);
                long length = Math.Min(_regionLengths[region], _template.Length - _regionOffsets[region]);
                if (length < width)
                {
                    return (MapHeader.CountersOffset, 8);
                }
                long start = random.Next(2) == 0 ? Math.Min(length - width, 512) : length - width;
                long within = random.NextInt64(start / width + 1) * width;
                return (_regionOffsets[region] + within, width);
            }
        }
    }

    private ulong Value(Random random, byte[] bytes, long offset, int width)
    {
        ulong current = width == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)offset));
        ulong mask = width == 8 ? ulong.MaxValue : uint.MaxValue;
        ulong value = random.Next(14) switch
        {
            0 => current ^ (1UL << random.Next(width * 8)),
            1 => 0,
            2 => ulong.MaxValue,
            3 => long.MaxValue,
            4 => 1UL << 63,
            5 => int.MaxValue,
            6 => unchecked((ulong)int.MinValue),
            7 => uint.MaxValue,
            8 => 1UL << random.Next(20, 48),
            9 => (ulong)_template.Length + (ulong)(random.Next(3) - 1) * 8,
            10 => (ulong)_regionOffsets[random.Next(_regionOffsets.Length)] + (ulong)random.Next(4) * 8,
            11 => ((ulong)random.Next(8) << 32) | ((ulong)random.Next(1, 4) << 16) | ((ulong)random.Next(_laneCount + 1) << 1) | 1,
            12 => (ulong)random.Next(1, 5),
            _ => current + (ulong)(random.Next(2) == 0 ? 1 : -1),
        };
        return value & mask;
    }

    private static void Write(byte[] bytes, long offset, int width, ulong value)
    {
        if (width == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)offset), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offset), (uint)value);
        }
    }
}
