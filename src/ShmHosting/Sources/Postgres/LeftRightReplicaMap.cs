namespace ShmMaps.Hosting;

/// <summary>A <see cref="LeftRightMap"/> a replica writes, as it reads it: through a reader of its own.</summary>
internal sealed class LeftRightReplicaMap<TKey, TValue>(string mapName, ShmOptions options) : IReplicaMap<TKey>
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    public ulong FileIdentity()
    {
        using LeftRightReader<TKey, TValue> map = LeftRightMap.OpenReader<TKey, TValue>(mapName, options);
        return map.FileIdentity;
    }

    public HashSet<TKey> Keys()
    {
        using LeftRightReader<TKey, TValue> map = LeftRightMap.OpenReader<TKey, TValue>(mapName, options);
        using ReadGuard<TKey, TValue> guard = map.Guard();
        var keys = new HashSet<TKey>();
        foreach (KeyValuePair<TKey, TValue> entry in guard)
        {
            keys.Add(entry.Key);
        }
        return keys;
    }
}
