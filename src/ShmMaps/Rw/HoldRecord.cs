using System.Runtime.InteropServices;

namespace ShmMaps.Rw;

/// <summary>
/// One lock (or slot allocation) a thread has under way or holds, in its lane's hold records (region 2).
/// </summary>
/// <remarks>
/// <code>
///  0  u64 state word  [63..48 lane generation (low 16 bits)][47..40 0][39..32 HoldState][31..0 ticket]
///  8  u64 element     [63..32 generation][31..0 slot]   (an id's value)
/// 16  undo image      the value before a write lock, rounded up to 8 bytes
/// </code>
/// A thread writes its record before the CAS that takes a lock and clears it after the CAS that lets go,
/// so every holder of every element has a record. A record counts only while its lane lives and still has
/// the generation the record carries: otherwise it is a dead process's, and whoever recovers the element
/// it names undoes it (restores the undo image of an unfinished write) and clears it with a CAS. The owning
/// thread writes only records that are free; any thread may free a record whose lock it releases.
/// The ticket tells one use of a record from the next, so that releasing a lock twice does nothing.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct HoldRecord
{
    public const int Size = 16;

    [FieldOffset(0)] public ulong State;
    [FieldOffset(8)] public ulong Element;

    /// <summary>
    /// The state word of <paramref name="record"/> and the element of that same use of it: read state, element,
    /// state again, until both state reads agree (every use has its own ticket, and its owner writes the element
    /// before the state), so the element never belongs to a later use than the state.
    /// </summary>
    public static ulong Read(HoldRecord* record, out ulong element)
    {
        while (true)
        {
            ulong state = SharedMemory.ReadAcquire(&record->State);
            element = SharedMemory.ReadAcquire(&record->Element);
            // Acquire on the element load: the second state load comes after it.
            if (SharedMemory.ReadAcquire(&record->State) == state)
            {
                return state;
            }
        }
    }

    /// <summary>A state word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Word(uint laneGeneration, HoldState state, uint ticket) =>
        ((ulong)(ushort)laneGeneration << 48) | ((ulong)state << 32) | ticket;

    /// <summary>The same use of the record (lane generation, ticket) in another state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong WithState(ulong word, HoldState state) => (word & ~(0xFFUL << 32)) | ((ulong)state << 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HoldState StateOf(ulong word) => (HoldState)(byte)(word >> 32);

    /// <summary>The same use of the record, said to belong to the lane's holder of <paramref name="laneGeneration"/>.</summary>
    public static ulong WithLaneGeneration(ulong word, uint laneGeneration) => (word & ~(0xFFFFUL << 48)) | ((ulong)(ushort)laneGeneration << 48);

    public static ushort LaneGenerationOf(ulong word) => (ushort)(word >> 48);

    /// <summary>The slot an element value names.</summary>
    public static long SlotOf(ulong element) => (long)(uint)element;

    /// <summary>The generation an element value names.</summary>
    public static uint GenerationOf(ulong element) => (uint)(element >> 32);

    /// <summary>An element value.</summary>
    public static ulong ElementOf(long slot, uint generation) => ((ulong)generation << 32) | (uint)slot;
}
