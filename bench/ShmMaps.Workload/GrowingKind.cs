namespace ShmMaps.Workload;

/// <summary>A map kind that grows as the growth benchmark uses it: created for a capacity, opened, deleted, by name.</summary>
internal sealed record GrowingKind(
    string Name, Func<string, long, ShmOptions, IStore> Create, Func<string, ShmOptions, IStore> Open, Func<string, ShmOptions, bool> Delete)
{
    public static readonly GrowingKind Seq = new(
        "seqmap",
        (name, capacity, options) => new SeqMapKind.Handle<long>(SeqMap<long, long>.Create(name, capacity, options)),
        (name, options) => new SeqMapKind.Handle<long>(SeqMap<long, long>.Open(name, options)),
        SeqMap<long, long>.Delete);

    public static readonly GrowingKind Striped = new(
        "stripedmap",
        (name, capacity, options) => new StripedMapKind.Handle<long>(StripedMap<long, long>.Create(name, capacity, options)),
        (name, options) => new StripedMapKind.Handle<long>(StripedMap<long, long>.Open(name, options)),
        StripedMap<long, long>.Delete);

    public static readonly GrowingKind Folklore = new(
        "folkloremap",
        (name, capacity, options) => new FolkloreMapKind.Handle(FolkloreMap<int>.Create(name, capacity, options)),
        (name, options) => new FolkloreMapKind.Handle(FolkloreMap<int>.Open(name, options)),
        FolkloreMap<int>.Delete);

    public static IReadOnlyList<GrowingKind> All { get; } = [Seq, Striped, Folklore];

    /// <summary>The kind named <paramref name="name"/>; <see cref="ArgumentException"/> naming the kinds if none is.</summary>
    public static GrowingKind Named(string name) =>
        All.FirstOrDefault(kind => kind.Name == name) ?? throw new ArgumentException($"no growing kind '{name}'; one of {string.Join(", ", All.Select(k => k.Name))}");
}
