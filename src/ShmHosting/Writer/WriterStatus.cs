namespace ShmMaps.Hosting;

/// <summary>
/// What one writer service says about itself, read by its health check and its metrics from other threads:
/// whether it holds the writer, its publishes, the changes it holds unpublished.
/// </summary>
public sealed class WriterStatus
{
    private readonly Lock _gate = new();
    private Func<ReaderSlotCensus>? _readerSlots;

    internal WriterStatus(string mapName) => MapName = mapName;

    /// <summary>The map written.</summary>
    public string MapName { get; }

    /// <summary>True while the service holds the map's writer.</summary>
    public bool WriterHeld { get; private set; }

    /// <summary>Why the service stopped writing, if it failed.</summary>
    public string? Failure { get; private set; }

    /// <summary>Batches published since the service started.</summary>
    public long Publishes { get; private set; }

    /// <summary>When the last batch was published (null: none yet).</summary>
    public DateTimeOffset? LastPublish { get; private set; }

    /// <summary>When the oldest change not yet published arrived (null: none waiting).</summary>
    public DateTimeOffset? OldestPending { get; private set; }

    /// <summary>The entries readers see.</summary>
    public long Entries { get; private set; }

    /// <summary>The entries the map was created for.</summary>
    public long Capacity { get; private set; }

    /// <summary>
    /// For a replicating source: since when readers may miss a change the source's server has committed (the commit
    /// time of the oldest change not yet published, or when the connection dropped); null when caught up or not replicating.
    /// </summary>
    public DateTimeOffset? ReplicaBehindSince { get; private set; }

    /// <summary>For a replicating source: the server's write-ahead log bytes past what readers see.</summary>
    public long ReplicaLagBytes { get; private set; }

    /// <summary>The reader slots now, while the writer is held; null otherwise.</summary>
    public ReaderSlotCensus? ReaderSlots()
    {
        lock (_gate)
        {
            return _readerSlots?.Invoke();
        }
    }

    internal void Held(long capacity, long entries, Func<ReaderSlotCensus> readerSlots)
    {
        lock (_gate)
        {
            WriterHeld = true;
            Failure = null;
            Capacity = capacity;
            Entries = entries;
            _readerSlots = readerSlots;
        }
    }

    internal void Pending(DateTimeOffset since)
    {
        lock (_gate)
        {
            OldestPending ??= since;
        }
    }

    internal void Replica(DateTimeOffset? behindSince, long lagBytes)
    {
        lock (_gate)
        {
            ReplicaBehindSince = behindSince;
            ReplicaLagBytes = lagBytes;
        }
    }

    internal void Published(long entries, DateTimeOffset at)
    {
        lock (_gate)
        {
            Publishes++;
            LastPublish = at;
            Entries = entries;
            OldestPending = null;
        }
    }

    /// <summary>The writer is released (or was never taken): nothing may read it from here on.</summary>
    internal void Released(string? failure)
    {
        lock (_gate)
        {
            WriterHeld = false;
            Failure = failure;
            _readerSlots = null;
        }
    }
}
