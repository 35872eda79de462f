using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>
/// A shared cache's read counts in the map's file: <see cref="CountLines"/> lines of counts, each thread adding
/// atomically to the line its thread id picks (threads of all processes spread over them, no lane claimed, so a read
/// never waits for one), summed over the lines by whoever reads them.
/// </summary>
public sealed unsafe partial class BlobMap
{
    private const int CountLines = 64;
    private const int CountLineBytes = 64;
    private const long CountsTableBytes = CountLines * CountLineBytes;

    /// <summary>Spreads this process's threads over other lines than another process's threads of the same ids.</summary>
    private static readonly uint s_countSalt = (uint)Environment.ProcessId * 0x9E3779B1u;

    /// <summary>The counts' table once this handle found it (its place never changes).</summary>
    private byte* _cacheCounts;

    /// <summary>
    /// Adds to the cache read counts of the map (<see cref="CacheCounts"/>), made on first use (4 KiB of the heap): what
    /// <c>ShmMaps.Caching</c> calls for each read, so that <c>shm info</c> shows every process's hits and misses.
    /// </summary>
    public void AddCacheCounts(long hits, long misses, long expirations)
    {
        ThrowIfDisposed();
        uint pick = ((uint)Environment.CurrentManagedThreadId * 0x85EBCA6Bu) + s_countSalt;
        long* line = CountsTable(create: true) + ((pick % CountLines) * (CountLineBytes / sizeof(long)));
        // Atomic adds: threads of any process may share a line. They publish nothing but the counts.
        if (hits != 0)
        {
            SharedMemory.Add(line, hits);
        }
        if (misses != 0)
        {
            SharedMemory.Add(line + 1, misses);
        }
        if (expirations != 0)
        {
            SharedMemory.Add(line + 2, expirations);
        }
    }

    /// <summary>The cache read counts of every process, summed over the lines; null if no cache has counted in this map.</summary>
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
            for (int i = 0; i < CountLines; i++)
            {
                long* line = table + (i * (CountLineBytes / sizeof(long)));
                hits += SharedMemory.ReadAcquire(line);
                misses += SharedMemory.ReadAcquire(line + 1);
                expirations += SharedMemory.ReadAcquire(line + 2);
            }
            return new BlobCacheCounts(hits, misses, expirations);
        }
    }

    /// <summary>The bytes of the counts' table in the heap (0: none), for the census.</summary>
    private long CacheCountsBytes => SharedMemory.ReadAcquire(_layout.Control.CacheCounts) == 0 ? 0 : CountsTableBytes;

    /// <summary>The counts' table (made at the heap's frontier if <paramref name="create"/> and the map has none); null if none.</summary>
    private long* CountsTable(bool create) =>
        (long*)HeapArea(ref _cacheCounts, _layout.Control.CacheCounts, CountsTableBytes, "the cache counts", create);
}
