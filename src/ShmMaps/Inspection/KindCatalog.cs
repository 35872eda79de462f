namespace ShmMaps.Inspection;

/// <summary>
/// Every kind <c>shm</c> knows: the <see cref="IKindInspector"/> in each kind's folder, one for every
/// <see cref="MapKind"/>. A new kind registers with its <see cref="MapKind"/> value; its inspector is found here.
/// </summary>
internal static class KindCatalog
{
    /// <summary>The inspectors of every kind, in the order of their <see cref="MapKind"/> numbers.</summary>
    public static IReadOnlyList<IKindInspector> All { get; } =
    [
        .. typeof(KindCatalog).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.IsAssignableTo(typeof(IKindInspector)))
            .Select(type => (IKindInspector)Activator.CreateInstance(type)!)
            .OrderBy(inspector => inspector.Kind),
    ];

    /// <summary>The inspector of <paramref name="kind"/>, or null for a kind this version cannot read.</summary>
    public static IKindInspector? For(MapKind kind) => All.FirstOrDefault(inspector => inspector.Kind == kind);

    /// <summary>The inspector of the kind named <paramref name="name"/> (its short name or <see cref="MapKind"/> name), or null.</summary>
    public static IKindInspector? Named(string name) =>
        All.FirstOrDefault(i => string.Equals(i.ShortName, name, StringComparison.OrdinalIgnoreCase) || string.Equals(i.Kind.ToString(), name, StringComparison.OrdinalIgnoreCase));
}
