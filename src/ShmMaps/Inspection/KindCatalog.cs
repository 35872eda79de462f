using ShmMaps.Folklore;
using ShmMaps.LeftRight;
using ShmMaps.Rw;
using ShmMaps.Seq;
using ShmMaps.Striped;

namespace ShmMaps.Inspection;

/// <summary>Every kind <c>shm</c> knows: the one registration line a new kind adds.</summary>
internal static class KindCatalog
{
    /// <summary>The inspectors of every kind, in the order <c>shm create --help</c> names them.</summary>
    public static IReadOnlyList<IKindInspector> All { get; } =
    [
        new SeqMapInspector(), new StripedInspector(), new FolkloreInspector(), new LeftRightInspector(), new RwStoreInspector(),
        new SeqArrayInspector(), new SeqVecInspector(),
    ];

    /// <summary>The inspector of <paramref name="kind"/>, or null for a kind this version cannot read.</summary>
    public static IKindInspector? For(MapKind kind) => All.FirstOrDefault(inspector => inspector.Kind == kind);

    /// <summary>The inspector of the kind named <paramref name="name"/> (its short name or <see cref="MapKind"/> name), or null.</summary>
    public static IKindInspector? Named(string name) =>
        All.FirstOrDefault(i => string.Equals(i.ShortName, name, StringComparison.OrdinalIgnoreCase) || string.Equals(i.Kind.ToString(), name, StringComparison.OrdinalIgnoreCase));
}
