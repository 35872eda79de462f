namespace ShmMaps.Hosting;

/// <summary>One map's settings in the <c>ShmMaps</c> section: its size, and when its writer publishes.</summary>
public sealed class ShmMapSettings
{
    /// <summary>The entries the map is created for, if the writer has to create it (it grows past them).</summary>
    public long Capacity { get; set; } = 100_000;

    /// <summary>The most entries the map may grow to, if the writer creates it (null: while memory lasts); past it new keys are dropped.</summary>
    public long? MaxCapacity { get; set; }

    /// <summary>The reader slots the map is created with (null: the library's default, 128).</summary>
    public int? ReaderSlots { get; set; }

    /// <summary>A batch is published once it holds this many changes.</summary>
    public int MaxBatch { get; set; } = 1_000;

    /// <summary>A batch is published at the latest this long after its first change.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The health check reports Unhealthy when changes wait unpublished, or a replica is behind its server, longer than this.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The file of changes this map follows (<c>ShmMaps:Maps:NAME:File</c>), if any: see <see cref="ShmMapsBuilder.AddFileSource{TKey, TValue}"/>.</summary>
    public FileChangeSourceOptions? File { get; set; }

    /// <summary>The PostgreSQL table this map replicates (<c>ShmMaps:Maps:NAME:Postgres</c>), if any: see <see cref="ShmMapsBuilder.AddPostgresReplica{TKey, TValue}"/> and <see cref="ShmMapsBuilder.AddPostgresBlobReplica"/>.</summary>
    public PostgresSourceSettings? Postgres { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting of map <paramref name="mapName"/> that is out of range.</summary>
    public void Validate(string mapName)
    {
        if (Capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, $"ShmMaps:Maps:{mapName}:Capacity must be at least 1");
        }
        if (MaxCapacity < Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCapacity), MaxCapacity, $"ShmMaps:Maps:{mapName}:MaxCapacity must be at least its Capacity ({Capacity})");
        }
        if (MaxBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, $"ShmMaps:Maps:{mapName}:MaxBatch must be at least 1");
        }
        if (MaxDelay < TimeSpan.Zero || StaleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, $"ShmMaps:Maps:{mapName}:MaxDelay must be zero or more and StaleAfter more than zero");
        }
        if (File is { Path: null or "" } || File?.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ShmMaps:Maps:{mapName}:File needs a Path and a PollInterval of more than zero", nameof(File));
        }
        if (File is not null && Postgres is not null)
        {
            throw new ArgumentException($"ShmMaps:Maps:{mapName} names both a File and a Postgres source; a map has one writer", nameof(File));
        }
        Postgres?.Validate(mapName);
    }
}
