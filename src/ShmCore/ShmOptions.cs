namespace ShmMaps;

/// <summary>
/// Where a map's file lives and how processes wait on each other. Every property is optional.
/// </summary>
public sealed class ShmOptions
{
    /// <summary>The default wait for a lock held by a live process before <see cref="TimeoutException"/>.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The directory of map files; null means <c>$SHMMAPS_DIR</c>, else this user's own <c>/dev/shm/shmmaps-UID</c> on Linux.</summary>
    public string? Directory { get; init; }

    /// <summary>The permissions of a newly created map file; default owner read and write (0600).</summary>
    public UnixFileMode FileMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>How long to wait for a lock held by a live process (or for a map being created) before a <see cref="TimeoutException"/>.</summary>
    public TimeSpan LockTimeout { get; init; } = DefaultLockTimeout;

    /// <summary>
    /// How many threads (of all processes together) can hold a writer lane of a map created with these
    /// options at once. Each writing thread holds one lane while it lives. Fixed at create.
    /// </summary>
    public int WriterLanes { get; init; } = 256;

    /// <summary>
    /// For maps read through guards (<c>LeftRightMap</c>): how many reader threads, of all processes together,
    /// can hold a reader slot at once. Each thread that takes a read guard holds one slot while it lives (or
    /// until its reader is disposed); slots of dead processes are reclaimed. Fixed at create; 1 to 65,536.
    /// </summary>
    public int ReaderSlots { get; init; } = 128;

    /// <summary>
    /// For stores with a lock per element (<c>RwStore</c>): how many element locks one thread can hold at once.
    /// Each lane keeps this many hold records (with room for one value's undo image each). Fixed at create.
    /// </summary>
    public int LocksPerThread { get; init; } = 16;

    /// <summary>
    /// For hash maps: the fraction of cells in use when the map holds its capacity. The (first) table gets the
    /// smallest power-of-two number of cells that keeps the load at or below it; a <c>SeqMap</c> grows a table twice
    /// as large when its load passes it (0.5 when null). Fixed at create.
    /// Null (the default) chooses by size: 0.2 while the table stays within <see cref="CacheSizedTableBytes"/>
    /// (lookups there are bound by instructions and mispredicted probes, so fewer displaced keys win), 0.5
    /// beyond (lookups are bound by memory misses, so a denser table wins).
    /// </summary>
    public double? MaxLoad { get; init; }

    /// <summary>
    /// For maps that grow (<c>SeqMap</c>): the most entries the map may grow to. Its largest table holds this many
    /// at <see cref="MaxLoad"/>, and accepts new keys until every cell is used, then throws <c>MapFullException</c>.
    /// Null (the default): the map grows while memory lasts. Fixed at create.
    /// </summary>
    public long? MaxCapacity { get; init; }

    /// <summary>The table size up to which the automatic <see cref="MaxLoad"/> favours a sparse table.</summary>
    public const long CacheSizedTableBytes = 32L << 20;

    /// <summary>
    /// Whether <c>Open</c> refuses a file owned by another user. Default true; set false to share maps
    /// between users (together with a <see cref="FileMode"/> that grants them access).
    /// </summary>
    public bool RequireSameOwner { get; init; } = true;

    internal static ShmOptions Default { get; } = new();
}
