namespace ShmMaps.Blob;

/// <summary>Where every byte of a blob map's heap is, as <c>shm info</c> and <c>shm check</c> count it.</summary>
internal sealed class BlobCensus
{
    /// <summary>Keys, and the bytes of their keys and values.</summary>
    public long Keys { get; set; }

    public long KeyAndValueBytes { get; set; }

    /// <summary>Blocks the index names, and their bytes.</summary>
    public long LiveBlockBytes { get; set; }

    /// <summary>The live bytes the map keeps (null: its file does not), which should be <see cref="LiveBlockBytes"/> at rest.</summary>
    public long? KeptLiveBytes { get; set; }

    /// <summary>The map's budget (0: none) and its evictions so far.</summary>
    public long MaxBytes { get; set; }

    public long Evictions { get; set; }

    /// <summary>Blocks on the free lists, and their bytes.</summary>
    public long FreeBlocks { get; set; }

    public long FreeBlockBytes { get; set; }

    /// <summary>Blocks lanes hold for writes under way (or left by dead writers until recovered), and their bytes.</summary>
    public long HeldBlocks { get; set; }

    public long HeldBlockBytes { get; set; }

    /// <summary>The bytes of the index's tables in use, and of those given back (or waiting to be).</summary>
    public long TableBytes { get; set; }

    public long OldTableBytes { get; set; }

    /// <summary>The bytes of the change log in the heap (0: none).</summary>
    public long ChangeLogBytes { get; set; }

    /// <summary>The bytes of a shared cache's read counts in the heap (0: none), and the counts.</summary>
    public long CacheCountsBytes { get; set; }

    public BlobCacheCounts? CacheCounts { get; set; }

    /// <summary>The heap's bytes handed out.</summary>
    public long Frontier { get; set; }

    /// <summary>Heap bytes none of the above accounts for (0 in a map at rest).</summary>
    public long Unaccounted => Frontier - TableBytes - OldTableBytes - ChangeLogBytes - CacheCountsBytes - LiveBlockBytes - FreeBlockBytes - HeldBlockBytes;

    /// <summary>The lanes that hold blocks, in words.</summary>
    public List<string> Held { get; } = [];

    /// <summary>What the census found wrong.</summary>
    public List<string> Problems { get; } = [];
}
