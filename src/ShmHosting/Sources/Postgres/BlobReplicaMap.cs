namespace ShmMaps.Hosting;

/// <summary>A <see cref="BlobMap"/> a replica writes, as it reads it.</summary>
internal sealed class BlobReplicaMap(string mapName, ShmOptions options) : IReplicaMap<string>
{
    public ulong FileIdentity()
    {
        using BlobMap map = BlobMap.Open(mapName, options);
        return map.FileIdentity;
    }

    public HashSet<string> Keys()
    {
        using BlobMap map = BlobMap.Open(mapName, options);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (BlobEntryHead entry in map.Heads(prefixLength: 0)) // the keys, without copying the values
        {
            keys.Add(entry.Key);
        }
        return keys;
    }
}
