using System.Numerics;

namespace ShmMaps.Rw;

/// <summary>
/// Where an <see cref="RwStore{T}"/>'s bytes are.
/// </summary>
/// <remarks>
/// <code>
/// header   kind parameters: [0] slots of block 0 (a power of two) [1] blocks [2] maximum elements
///                           [3] hold records per lane [4] hold record stride
///          hash seed: the store's identity, carried by every id (a random 64-bit number chosen at create)
/// region 0 lanes (liveness and generation of each thread that takes a lock)
/// region 1 control (<see cref="RwControl"/>): the free-slot list and its lock, the next never-used slot
/// region 2 hold records: lanes x holds per lane x stride (<see cref="HoldRecord"/>, each with room for one
///          value's undo image); record 0 of a lane is its allocation record (insert and remove)
/// region 3 blocks: block k holds (slots of block 0) &lt;&lt; k slots, at a fixed offset, sparse until used:
///          [8-byte element words, one per slot (<see cref="ElementWord"/>)][values, sizeof(T) each]
/// </code>
/// Slot <c>i</c> is in block <c>k = log2(i / S0 + 1)</c> at index <c>i - S0 (2^k - 1)</c>. Blocks never
/// move: the file reserves all of them at create and memory is taken only as slots are first used.
/// </remarks>
internal static class RwStoreLayout
{

    public const int ControlRegion = 1;
    public const int HoldRegion = 2;
    public const int BlockRegion = 3;

    /// <summary>The slots of block 0.</summary>
    public const int FirstBlockSlots = 1024;

    /// <summary>The most elements a store can hold at once (a slot index fits the 30 bits of a free word's link).</summary>
    public const long MaxElements = (1L << 30) - 1;

    /// <summary>The most hold records a lane can have (locks one thread holds at once, plus its allocation record).</summary>
    public const int MaxHoldsPerLane = 4096;

    /// <summary>The reservation of <c>RwStore.Create(name)</c>.</summary>
    public const long DefaultMaxElements = 1L << 24;

    /// <summary>Alignment of every block (a page, so a block's memory is its own).</summary>
    public const long BlockAlignment = 4096;

    /// <summary>The number of blocks that hold <paramref name="maxElements"/> slots.</summary>
    public static int BlocksFor(long maxElements)
    {
        int blocks = 1;
        while (SlotsBefore(blocks) < maxElements)
        {
            blocks++;
        }
        return blocks;
    }

    /// <summary>The slots of the blocks before block <paramref name="block"/>.</summary>
    public static long SlotsBefore(int block) => FirstBlockSlots * ((1L << block) - 1);

    /// <summary>The bytes of block <paramref name="block"/>: its words and values, page aligned.</summary>
    public static long BlockBytes(int block, int valueSize)
    {
        long slots = (long)FirstBlockSlots << block;
        long bytes = checked(slots * (sizeof(ulong) + valueSize));
        return (bytes + BlockAlignment - 1) / BlockAlignment * BlockAlignment;
    }

    /// <summary>Block <paramref name="block"/>'s offset in the block region.</summary>
    public static long BlockOffset(int block, int valueSize)
    {
        long offset = 0;
        for (int k = 0; k < block; k++)
        {
            offset = checked(offset + BlockBytes(k, valueSize));
        }
        return offset;
    }

    /// <summary>The block slot <paramref name="slot"/> lies in.</summary>
    public static int BlockOf(long slot) => BitOperations.Log2((ulong)(slot / FirstBlockSlots) + 1);

    /// <summary>The bytes of one hold record: its header and an undo image of one value, 8-byte aligned.</summary>
    public static int HoldStride(int valueSize) => HoldRecord.Size + ((valueSize + 7) & ~7);

    /// <summary>The file a store of at most <paramref name="maxElements"/> elements of <typeparamref name="T"/> needs under <paramref name="options"/>.</summary>
    public static RegionSpec Spec<T>(long maxElements, ShmOptions? options)
        where T : unmanaged
    {
        if (maxElements is < 1 or > MaxElements)
        {
            throw new ArgumentOutOfRangeException(nameof(maxElements), maxElements, $"a store holds 1 to {MaxElements} elements");
        }
        int locks = options?.LocksPerThread ?? ShmOptions.Default.LocksPerThread;
        if (locks < 1 || locks >= MaxHoldsPerLane)
        {
            throw new ArgumentOutOfRangeException(nameof(options), locks, $"LocksPerThread must be 1 to {MaxHoldsPerLane - 1}");
        }
        int lanes = options?.WriterLanes ?? ShmOptions.Default.WriterLanes;
        int valueSize = Unsafe.SizeOf<T>();
        int blocks = BlocksFor(maxElements);
        int stride = HoldStride(valueSize);
        return new RegionSpec
        {
            Kind = MapKind.RwStore,
            KeySize = 0,
            ValueSize = valueSize,
            KeyTypeName = "",
            ValueTypeName = TypeLayout.NameOf<T>(),
            Capacity = maxElements,
            KindParameters = KindParameterBlock.Words(new RwStoreParameters
            {
                FirstBlockSlots = FirstBlockSlots, Blocks = blocks, MaxElements = maxElements, HoldsPerLane = locks + 1, HoldStride = stride,
            }),
            RegionLengths = [RwControl.Size, checked((long)lanes * (locks + 1) * stride), BlockOffset(blocks, valueSize)],
            ReservedAtCreate = [RwControl.Size, checked((long)lanes * (locks + 1) * stride), BlockBytes(0, valueSize)],
        };
    }

    /// <summary>
    /// The kind parameters of <paramref name="region"/> (a store of <paramref name="valueSize"/>-byte elements), checked:
    /// <see cref="CorruptMapException"/> naming what is wrong.
    /// </summary>
    public static RwStoreParameters Parameters(MapRegion region, int valueSize)
    {
        RwStoreParameters p = region.KindParameters<RwStoreParameters>();
        if (p.FirstBlockSlots != FirstBlockSlots || p.MaxElements is < 1 or > MaxElements
            || p.Blocks != BlocksFor(p.MaxElements) || p.HoldsPerLane is < 2 or > MaxHoldsPerLane
            || p.HoldStride != HoldStride(valueSize))
        {
            ThrowHelper.ThrowCorrupt($"store '{region.Name}': block size {p.FirstBlockSlots}, {p.Blocks} blocks, {p.MaxElements} elements, " +
                $"{p.HoldsPerLane} holds per lane or hold stride {p.HoldStride} is invalid");
        }
        return p;
    }
}
