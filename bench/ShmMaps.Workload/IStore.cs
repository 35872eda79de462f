namespace ShmMaps.Workload;

/// <summary>One process's (or thread's) handle on a store: the operations the mixes are made of, by key index.</summary>
internal interface IStore : IDisposable
{
    /// <summary>Reads the value of key <paramref name="index"/>; returns its first 8 bytes (0 if absent).</summary>
    long Get(long index);

    /// <summary>Writes a value made from <paramref name="stamp"/> to key <paramref name="index"/>.</summary>
    void Put(long index, long stamp);

    /// <summary>Adds 1 to the counter of key <paramref name="index"/>, atomically for every process.</summary>
    void Increment(long index);
}
