namespace ShmMaps.Hosting;

/// <summary>
/// The <c>ShmMaps</c> configuration section: where maps live and, per map name, how its writer publishes.
/// </summary>
/// <example>
/// <code>
/// "ShmMaps": {
///   "Directory": "/dev/shm/shmmaps-1000",
///   "Maps": { "prices": { "Capacity": 1000000, "MaxBatch": 5000, "MaxDelay": "00:00:00.050" } }
/// }
/// </code>
/// </example>
public sealed class ShmMapsOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ShmMaps";

    /// <summary>The map directory; null means <c>$SHMMAPS_DIR</c>, else this user's own <c>/dev/shm/shmmaps-UID</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>How long to wait for a live process's lock before a <see cref="TimeoutException"/>; null: 10 s.</summary>
    public TimeSpan? LockTimeout { get; set; }

    /// <summary>Settings per map name; a map without an entry gets the defaults of <see cref="ShmMapSettings"/>.</summary>
    public Dictionary<string, ShmMapSettings> Maps { get; set; } = [];

    /// <summary>The settings of map <paramref name="name"/>.</summary>
    public ShmMapSettings For(string name) => Maps.TryGetValue(name, out ShmMapSettings? settings) ? settings : new ShmMapSettings();

    /// <summary>The library options these settings make for map <paramref name="name"/>.</summary>
    public ShmOptions ToShmOptions(string name)
    {
        ShmMapSettings settings = For(name);
        return new ShmOptions
        {
            Directory = Directory,
            LockTimeout = LockTimeout ?? ShmOptions.DefaultLockTimeout,
            ReaderSlots = settings.ReaderSlots ?? new ShmOptions().ReaderSlots,
            MaxCapacity = settings.MaxCapacity,
        };
    }
}
