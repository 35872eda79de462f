using ShmMaps.Core.Files;

namespace ShmMaps;

/// <summary>
/// Names of maps. A plain name is <c>[A-Za-z0-9._-]{1,128}</c>, not starting with '.'; a map's companion (a small map a
/// tool keeps beside it, such as a replica's marker) is named <c>NAME~ROLE</c>, which no plain name can be.
/// </summary>
public static class MapNames
{
    /// <summary>The name of map <paramref name="mapName"/>'s companion for <paramref name="role"/> (<c>[a-z0-9]{1,16}</c>): <c>NAME~ROLE</c>.</summary>
    public static string Companion(string mapName, string role) => MapFiles.CompanionOf(mapName, role);
}
