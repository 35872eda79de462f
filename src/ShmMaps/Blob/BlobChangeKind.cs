namespace ShmMaps;

/// <summary>What a <see cref="BlobChange"/> says happened.</summary>
public enum BlobChangeKind
{
    /// <summary>The key was set (added or replaced).</summary>
    Set = 1,

    /// <summary>The key was removed.</summary>
    Removed = 2,

    /// <summary>The key was evicted to keep the map's byte budget.</summary>
    Evicted = 3,

    /// <summary>
    /// Changes were missed (the watcher fell more than the log's length behind, or a writer died while logging one):
    /// <see cref="BlobChange.Missed"/> says how many; whatever the watcher keeps from the map must be read again.
    /// </summary>
    Missed = 4,
}
