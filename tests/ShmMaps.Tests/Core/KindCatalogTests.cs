using ShmMaps.Core.Region;
using ShmMaps.Inspection;

namespace ShmMaps.Tests.Core;

/// <summary>A kind registers with its <see cref="MapKind"/> value; its inspector, in its folder, is found from it.</summary>
public sealed class KindCatalogTests
{
    [Fact]
    public void EveryKindHasOneInspectorWithItsOwnShortName()
    {
        MapKind[] kinds = [.. Enum.GetValues<MapKind>().Where(kind => kind != MapKind.None)];
        Assert.Equal(kinds, KindCatalog.All.Select(inspector => inspector.Kind));
        Assert.Equal(kinds.Length, KindCatalog.All.Select(inspector => inspector.ShortName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (MapKind kind in kinds)
        {
            Assert.Same(KindCatalog.For(kind), KindCatalog.Named(kind.ToString()));
            Assert.Contains(KindCatalog.For(kind)!.ShortName, ShmMaps.Tool.Verbs.KindHelp.Kinds, StringComparison.Ordinal);
        }
    }
}
