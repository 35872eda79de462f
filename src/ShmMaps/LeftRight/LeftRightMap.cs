using ShmMaps.LeftRight;

namespace ShmMaps;

/// <summary>
/// The left-right map (the algorithm of evmap and flashmap) in a shared file: two copies of one hash table,
/// one writer in one process, wait-free readers in any number of processes. The writer changes the copy no
/// reader is on and publishes by flipping one word; a read guard sees the copy that was published when it
/// began, whole, until it is disposed.
/// </summary>
/// <remarks>
/// Layout: <see cref="LeftRightLayout"/>. Readers never wait: a guard costs two stores in the reader's own slot
/// and two loads of the publish sequence to begin (an atomic exchange for one store where the system-wide
/// barrier is refused), and one store to end. The writer waits, before it rewrites the old copy, for the guards that
/// may still read it; guards are meant to be short. A writer killed at any point leaves the last published
/// state to the next writer, which copies it over the other copy. Each copy starts with enough cells for
/// <c>capacity</c> entries at <see cref="ShmOptions.MaxLoad"/>; past that load (0.5 by default) the writer rehashes
/// the copy it writes into a table twice as large before it publishes, and the other copy follows at the next
/// write guard; readers never wait for it. With <see cref="ShmOptions.MaxCapacity"/> the largest table takes keys
/// until one cell is left, then <see cref="MapFullException"/>.
/// </remarks>
public static class LeftRightMap
{
    /// <summary>Creates map <paramref name="name"/> for <paramref name="capacity"/> entries and opens its writer; <see cref="MapExistsException"/> if the name exists.</summary>
    public static LeftRightWriter<TKey, TValue> CreateWriter<TKey, TValue>(string name, long capacity, ShmOptions? options = null)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged =>
        MapRegion.Create(name, LeftRightLayout.Spec<TKey, TValue>(capacity, options), options).Adopt(static region => new LeftRightWriter<TKey, TValue>(region, created: true));

    /// <summary>
    /// Opens the writer of map <paramref name="name"/>, creating the map for <paramref name="capacity"/> entries if it
    /// does not exist (of processes racing to create it, one does); <see cref="WriterBusyException"/> naming the owner
    /// if a live writer holds it. An existing map's writer starts from its last published state.
    /// </summary>
    public static LeftRightWriter<TKey, TValue> OpenOrCreateWriter<TKey, TValue>(string name, long capacity, ShmOptions? options = null)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged =>
        // Not known to be new: a map another process created a moment ago may already have a half batch of its writer.
        MapRegion.OpenOrCreate(name, LeftRightLayout.Spec<TKey, TValue>(capacity, options), options).Adopt(static region => new LeftRightWriter<TKey, TValue>(region, created: false));

    /// <summary>
    /// Opens the writer of an existing map; <see cref="WriterBusyException"/> naming the owner if a live
    /// writer holds it. After a writer's death this takes over at once, from the last published state.
    /// </summary>
    public static LeftRightWriter<TKey, TValue> OpenWriter<TKey, TValue>(string name, ShmOptions? options = null)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged =>
        MapRegion.Open(name, LeftRightLayout.Spec<TKey, TValue>(0, options), options).Adopt(static region => new LeftRightWriter<TKey, TValue>(region, created: false));

    /// <summary>Opens a reader of an existing map (any number, in any process, usable from any thread).</summary>
    public static LeftRightReader<TKey, TValue> OpenReader<TKey, TValue>(string name, ShmOptions? options = null)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged =>
        MapRegion.Open(name, LeftRightLayout.Spec<TKey, TValue>(0, options), options).Adopt(static region => new LeftRightReader<TKey, TValue>(region));

    /// <summary>Deletes the map's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);
}
