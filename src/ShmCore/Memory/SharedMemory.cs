namespace ShmMaps.Core.Memory;

/// <summary>
/// The one place that turns offsets into pointers and touches shared words atomically.
/// </summary>
/// <remarks>
/// An instance describes one mapping (base and length) and hands out pointers only after checking
/// that <c>[offset, offset + size)</c> lies inside it and is aligned as asked: every offset read from
/// shared memory (an intent's cell offset, a region extent) goes through <see cref="Pointer"/>, so a
/// corrupt file is an exception, never an access violation. The static methods are the atomic
/// accesses; each name says its memory ordering. Offsets computed from a validated header (a cell
/// index masked by the table size) may use a base pointer obtained once through <see cref="Pointer"/>.
/// </remarks>
internal readonly unsafe struct SharedMemory
{
    private readonly byte* _base;
    private readonly long _length;

    /// <summary>Describes <paramref name="length"/> bytes mapped at <paramref name="baseAddress"/>.</summary>
    public SharedMemory(byte* baseAddress, long length)
    {
        _base = baseAddress;
        _length = length;
    }

    /// <summary>The first mapped byte.</summary>
    public byte* Base => _base;

    /// <summary>The number of mapped bytes.</summary>
    public long Length => _length;

    /// <summary>True when <c>[offset, offset + size)</c> lies inside the mapping and offset is a multiple of <paramref name="alignment"/>.</summary>
    public bool Contains(long offset, long size, int alignment = 1) =>
        offset >= 0 && size >= 0 && offset <= _length && size <= _length - offset && offset % alignment == 0;

    /// <summary>A pointer to <paramref name="size"/> bytes at <paramref name="offset"/>, after the bounds and alignment check.</summary>
    /// <exception cref="CorruptMapException">The range is outside the mapping or misaligned.</exception>
    public byte* Pointer(long offset, long size, int alignment = 1)
    {
        if (!Contains(offset, size, alignment))
        {
            ThrowHelper.ThrowCorrupt($"offset {offset} (+{size} bytes, alignment {alignment}) lies outside the {_length}-byte mapping or is misaligned");
        }
        return _base + offset;
    }

    /// <summary>The offset of a pointer inside this mapping.</summary>
    public long OffsetOf(void* pointer) => (byte*)pointer - _base;

    /// <summary>Acquire load: no later load or store moves before it (pairs with <see cref="WriteRelease(ulong*, ulong)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadAcquire(ulong* address) => Volatile.Read(ref *address);

    /// <summary>Acquire load of a 32-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadAcquire(uint* address) => Volatile.Read(ref *address);

    /// <summary>Acquire load of a signed 64-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ReadAcquire(long* address) => Volatile.Read(ref *address);

    /// <summary>Release store: no earlier load or store moves after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRelease(ulong* address, ulong value) => Volatile.Write(ref *address, value);

    /// <summary>Release store of a 32-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRelease(uint* address, uint value) => Volatile.Write(ref *address, value);

    /// <summary>Release store of a signed 64-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRelease(long* address, long value) => Volatile.Write(ref *address, value);

    /// <summary>Full-fence compare-and-swap; returns the value found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CompareExchange(ulong* address, ulong value, ulong comparand) =>
        Interlocked.CompareExchange(ref *address, value, comparand);

    /// <summary>Full-fence compare-and-swap of a 32-bit word; returns the value found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CompareExchange(uint* address, uint value, uint comparand) =>
        Interlocked.CompareExchange(ref *address, value, comparand);

    /// <summary>Full-fence compare-and-swap of a signed 64-bit word; returns the value found.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CompareExchange(long* address, long value, long comparand) =>
        Interlocked.CompareExchange(ref *address, value, comparand);

    /// <summary>Full-fence atomic OR of <paramref name="bits"/> into a 64-bit word; returns the value before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Or(ulong* address, ulong bits) => Interlocked.Or(ref *address, bits);

    /// <summary>Full-fence atomic AND of <paramref name="bits"/> into a 64-bit word; returns the value before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong And(ulong* address, ulong bits) => Interlocked.And(ref *address, bits);

    /// <summary>Full-fence atomic add of <paramref name="value"/> to a 64-bit word; returns the value after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Add(long* address, long value) => Interlocked.Add(ref *address, value);

    /// <summary>Full-fence atomic OR of <paramref name="bits"/> into a 32-bit word; returns the value before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Or(uint* address, uint bits) => Interlocked.Or(ref *address, bits);

    /// <summary>
    /// Orders every load before it ahead of every load after it. A seqlock reader calls it between
    /// its data loads and its second read of the counter: without it ARM64 may satisfy the counter
    /// load first and accept a torn copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadLoadBarrier() => Volatile.ReadBarrier();

    /// <summary>
    /// Orders every store before it ahead of every store after it: a writer calls it after marking
    /// its intent, so that no data store can become visible (or be done by a dying process) first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStoreBarrier() => Volatile.WriteBarrier();
}
