namespace ShmMaps;

/// <summary>One change of a <see cref="BlobMap"/>, as <see cref="BlobMap.WatchChangesAsync"/> gives it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Key">
/// The key, or null for <see cref="BlobChangeKind.Missed"/> and for a key longer than <see cref="BlobMap.MaxLoggedKeyLength"/>
/// UTF-8 bytes (a change of some key: read again what depends on long keys).
/// </param>
/// <param name="ProcessId">The process that made the change (0 for <see cref="BlobChangeKind.Missed"/>), so that a watcher can pass its own by.</param>
/// <param name="Missed">For <see cref="BlobChangeKind.Missed"/>, how many changes were missed; else 0.</param>
public readonly record struct BlobChange(BlobChangeKind Kind, string? Key, int ProcessId, long Missed);
