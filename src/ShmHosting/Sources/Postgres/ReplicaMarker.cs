using System.Text;

namespace ShmMaps.Hosting;

/// <summary>
/// The <see cref="ReplicaState"/> of a replicated map, in a one-cell <see cref="SeqArray{T}"/> named <c>MAP~pg</c> (a
/// companion name, which no user's map can have) in the map's directory: it lives and goes with the map (a host's reboot
/// empties both), and a write of it is whole across crashes.
/// </summary>
internal sealed class ReplicaMarker : IDisposable
{
    private readonly SeqArray<ReplicaState> _cell;

    private ReplicaMarker(SeqArray<ReplicaState> cell) => _cell = cell;

    /// <summary>Opens, or creates, the marker of map <paramref name="mapName"/>.</summary>
    public static ReplicaMarker Open(string mapName, ShmOptions options) => new(SeqArray<ReplicaState>.OpenOrCreate(NameFor(mapName), 1, options));

    /// <summary>The marker's map name.</summary>
    public static string NameFor(string mapName) => MapNames.Companion(mapName, "pg");

    /// <summary>A stable 64-bit hash of a slot name (FNV-1a over its UTF-8 bytes; never 0).</summary>
    public static ulong HashOf(string slot)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(slot))
        {
            hash = (hash ^ b) * 1099511628211;
        }
        return hash == 0 ? 1 : hash;
    }

    public ReplicaState Read() => _cell[0];

    public void Write(ReplicaState state) => _cell[0] = state;

    public void Dispose() => _cell.Dispose();
}
