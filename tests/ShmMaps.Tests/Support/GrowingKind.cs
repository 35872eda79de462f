namespace ShmMaps.Tests.Support;

/// <summary>A kind of map that grows, for the shared growth tests: how to create and open one, and its growing child role.</summary>
/// <param name="Name">The kind's name.</param>
/// <param name="ChildRole">The child role that opens map <c>name</c> and inserts keys <c>from .. to - 1</c>, acknowledging each in <c>name-acked[0]</c>.</param>
/// <param name="Create">Creates a map for a capacity.</param>
/// <param name="Open">Opens a map.</param>
/// <param name="Delete">Deletes a map's file.</param>
public sealed record GrowingKind(
    string Name, string ChildRole, Func<string, long, ShmOptions, IGrowingMap> Create, Func<string, ShmOptions, IGrowingMap> Open, Func<string, ShmOptions, bool> Delete)
{
    public static GrowingKind Seq { get; } = new(
        "SeqMap",
        "grow-insert",
        (name, capacity, options) => new LongKeyedMap(SeqMap<long, long>.Create(name, capacity, options)),
        (name, options) => new LongKeyedMap(SeqMap<long, long>.Open(name, options)),
        SeqMap<long, long>.Delete);

    public static GrowingKind Striped { get; } = new(
        "StripedMap",
        "striped-grow",
        (name, capacity, options) => new LongKeyedMap(StripedMap<long, long>.Create(name, capacity, options)),
        (name, options) => new LongKeyedMap(StripedMap<long, long>.Open(name, options)),
        StripedMap<long, long>.Delete);

    public static GrowingKind Folklore { get; } = new(
        "FolkloreMap",
        "folklore-grow",
        (name, capacity, options) => new StringKeyedMap(FolkloreMap<int>.Create(name, capacity, options)),
        (name, options) => new StringKeyedMap(FolkloreMap<int>.Open(name, options)),
        FolkloreMap<int>.Delete);

    /// <summary>The kind named <paramref name="name"/>.</summary>
    public static GrowingKind Named(string name) => new[] { Seq, Striped, Folklore }.Single(kind => kind.Name == name);
}
