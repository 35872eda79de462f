namespace ShmMaps.Hosting;

/// <summary>What a replica reads of its map: which file it is, and the keys its readers see (a snapshot removes those the table lacks).</summary>
internal interface IReplicaMap<TKey>
{
    /// <summary>A number drawn when the map's file was created (a file made again under the name has another).</summary>
    ulong FileIdentity();

    /// <summary>Every key the map's readers see now.</summary>
    HashSet<TKey> Keys();
}
