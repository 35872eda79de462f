using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>
/// A shared cache's read counts in the map's file: a line of counts per lane (one thread holds a lane at a time, so a
/// count is a plain add to a line no other thread writes), summed over the lanes by whoever reads them. A lane's counts
/// outlive its holders: the next holder adds on.
/// </summary>
public sealed unsafe partial class BlobMap
{
    private const int CountLineBytes = 64;

    /// <summary>The counts' table once this handle found it (its place never changes).</summary>
    private long* _cacheCounts;

    /// <summary>
    /// Adds to the cache read counts of the map (<see cref="CacheCounts"/>), made on first use (a line per lane, 64
    /// bytes each, of the heap): what <c>ShmMaps.Caching</c> calls for each read, so that <c>shm info</c> shows every
    /// process's hits and misses.
    /// </summary>
    public void AddCacheCounts(long hits, long misses, long expirations)
    {
        ThrowIfDisposed();
        Lane lane = CurrentLane();
        long* line = CountsTable(create: true) + ((long)lane.Index * CountLineBytes / sizeof(long));
        // Release: plain adds (only this lane's holder writes its line), each visible whole to a reader of the sums.
        if (hits != 0)
        {
            SharedMemory.WriteRelease(line, line[0] + hits);
        }
        if (misses != 0)
        {
            SharedMemory.WriteRelease(line + 1, line[1] + misses);
        }
        if (expirations != 0)
        {
            SharedMemory.WriteRelease(line + 2, line[2] + expirations);
        }
    }

    /// <summary>The cache read counts of every process, summed over the lanes; null if no cache has counted in this map.</summary>
    public BlobCacheCounts? CacheCounts
    {
        get
        {
            ThrowIfDisposed();
            long* table = CountsTable(create: false);
            if (table is null)
            {
                return null;
            }
            long hits = 0, misses = 0, expirations = 0;
            for (int lane = 0; lane < _region.Lanes.Count; lane++)
            {
                long* line = table + ((long)lane * CountLineBytes / sizeof(long));
                hits += SharedMemory.ReadAcquire(line);
                misses += SharedMemory.ReadAcquire(line + 1);
                expirations += SharedMemory.ReadAcquire(line + 2);
            }
            return new BlobCacheCounts(hits, misses, expirations);
        }
    }

    /// <summary>The bytes of the counts' table in the heap (0: none), for the census.</summary>
    private long CacheCountsBytes => SharedMemory.ReadAcquire(_layout.Control.CacheCounts) == 0 ? 0 : CountsTableBytes;

    private long CountsTableBytes => (long)_region.Lanes.Count * CountLineBytes;

    /// <summary>The counts' table (made at the heap's frontier if <paramref name="create"/> and the map has none), checked to lie in the heap handed out; null if none.</summary>
    private long* CountsTable(bool create)
    {
        if (_cacheCounts is not null)
        {
            return _cacheCounts;
        }
        long offset = SharedMemory.ReadAcquire(_layout.Control.CacheCounts);
        if (offset == 0 && create)
        {
            offset = _heap.AdvanceForTable(CurrentLane(), _layout.Control.CacheCounts, CountsTableBytes, "the cache counts");
        }
        if (offset == 0)
        {
            return null;
        }
        if (offset < _firstTableBytes || offset % BlobEntry.UnitBytes != 0 || offset > _layout.Frontier - CountsTableBytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': its cache counts are said to lie at heap offset {offset}, outside the heap handed out");
        }
        _cacheCounts = (long*)_region.RegionPointer(BlobLayout.HeapRegion, offset, CountsTableBytes);
        return _cacheCounts;
    }
}
