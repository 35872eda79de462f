namespace ShmMaps.Blob;

/// <summary>
/// The blocks readers hold leases on, by lane: a block a live lease names is not reused (a write that pops it from its
/// free list passes it by), so that a reader reads its value in place for as long as it holds the lease.
/// </summary>
/// <remarks>
/// <code>
/// region 2   [lanes with leases: one bit per lane, in 8-byte words, rounded up to 64 bytes]
///            [per lane: <see cref="PerLane"/> words, each the heap offset of a leased block, 0: none]
/// </code>
/// A reader names the block in a free word of its lane, sets its lane's bit (a full fence), and then checks that the
/// block is still the one its cell names at the version it read; a writer that popped a block reads the bits after (a
/// full fence) and looks at the words of the lanes whose bit is set. One of the two sees the other: either the writer
/// sees the lease and passes the block by, or the reader sees the block freed (its version moved) and reads again. A
/// lease of a lane whose holder died names nothing: the writer that finds it checks the lane's liveness, and the lane's
/// next holder clears its words.
/// </remarks>
internal sealed unsafe class BlobLeases(byte* start, int lanes, LaneTable laneTable)
{
    /// <summary>The leases one thread (one lane) may hold at once.</summary>
    public const int PerLane = 8;

    private readonly ulong* _bits = (ulong*)start;
    private readonly long* _words = (long*)(start + BitmapBytes(lanes));

    /// <summary>The bytes of the region for <paramref name="lanes"/> lanes.</summary>
    public static long Bytes(int lanes) => BitmapBytes(lanes) + ((long)lanes * PerLane * sizeof(long));

    private static long BitmapBytes(int lanes) => ((((long)lanes + 63) / 64 * 8) + 63) / 64 * 64;

    /// <summary>A free lease word of lane <paramref name="lane"/>, or null if it holds <see cref="PerLane"/> leases.</summary>
    public long* FreeWord(int lane)
    {
        long* words = _words + ((long)lane * PerLane);
        for (int i = 0; i < PerLane; i++)
        {
            if (words[i] == 0)
            {
                return words + i;
            }
        }
        return null;
    }

    /// <summary>Names <paramref name="block"/> in <paramref name="word"/> of lane <paramref name="lane"/> and marks the lane, with a full fence after.</summary>
    public void Hold(int lane, long* word, long block)
    {
        SharedMemory.WriteRelease(word, block);
        // Full fence (the atomic OR): the lease is visible before the reader checks its block again.
        Interlocked.Or(ref _bits[lane / 64], 1UL << (lane % 64));
    }

    /// <summary>Ends the lease of <paramref name="block"/> in <paramref name="word"/> if it still names it (CAS, a full fence: the reader's reads of the block come first).</summary>
    public static void Release(long* word, long block) => SharedMemory.CompareExchange(word, 0, block);

    /// <summary>
    /// Ends the lease of <paramref name="block"/> in <paramref name="word"/> of lane <paramref name="lane"/>, and when it was
    /// the lane's last, the lane's mark, so that writes pass the lane by again (only the lane's own thread marks it).
    /// </summary>
    public void End(int lane, long* word, long block)
    {
        Release(word, block);
        long* words = _words + ((long)lane * PerLane);
        for (int i = 0; i < PerLane; i++)
        {
            if (SharedMemory.ReadAcquire(words + i) != 0)
            {
                return;
            }
        }
        Interlocked.And(ref _bits[lane / 64], ~(1UL << (lane % 64)));
    }

    /// <summary>Ends every lease of lane <paramref name="lane"/> (its last holder's, when a new holder makes it ready).</summary>
    public void Clear(int lane)
    {
        long* words = _words + ((long)lane * PerLane);
        for (int i = 0; i < PerLane; i++)
        {
            SharedMemory.WriteRelease(words + i, 0);
        }
        Interlocked.And(ref _bits[lane / 64], ~(1UL << (lane % 64)));
    }

    /// <summary>
    /// Whether a live lease names <paramref name="block"/>: read after a full fence that follows the pop of the block. A
    /// lease of a dead lane is cleared (CAS: a new holder may have written the word since) and does not count.
    /// </summary>
    public bool IsLeased(long block)
    {
        Interlocked.MemoryBarrier();
        for (int w = 0; w < (lanes + 63) / 64; w++)
        {
            ulong bits = SharedMemory.ReadAcquire(_bits + w);
            while (bits != 0)
            {
                int lane = (w * 64) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                long* words = _words + ((long)lane * PerLane);
                for (int i = 0; i < PerLane; i++)
                {
                    if (SharedMemory.ReadAcquire(words + i) == block)
                    {
                        if (laneTable.IsAlive(lane))
                        {
                            return true;
                        }
                        SharedMemory.CompareExchange(words + i, 0, block);
                    }
                }
            }
        }
        return false;
    }

    /// <summary>Whether lane <paramref name="lane"/> is marked as holding leases (writes look at its words).</summary>
    public bool IsMarked(int lane) => (SharedMemory.ReadAcquire(_bits + (lane / 64)) & (1UL << (lane % 64))) != 0;

    /// <summary>The leases live lanes hold now (for <c>shm info</c>).</summary>
    public int Count()
    {
        int held = 0;
        for (int lane = 0; lane < lanes; lane++)
        {
            for (int i = 0; i < PerLane; i++)
            {
                held += _words[((long)lane * PerLane) + i] != 0 && laneTable.IsAlive(lane) ? 1 : 0;
            }
        }
        return held;
    }
}
