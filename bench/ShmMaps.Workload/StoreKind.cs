namespace ShmMaps.Workload;

/// <summary>A store the workload can measure: how it is filled, opened by each process, sized and removed.</summary>
internal abstract class StoreKind
{
    /// <summary>The name on the command line and in the results.</summary>
    public abstract string Name { get; }

    /// <summary>True for a store that lives in one process (ConcurrentDictionary): its "processes" are threads of one process.</summary>
    public virtual bool InProcess => false;

    /// <summary>Whether the store can run <paramref name="mix"/> with values of <paramref name="valueSize"/> bytes (and if not, why not).</summary>
    public virtual string? Unfit(Mix mix, int valueSize) => null;

    /// <summary>Creates the store and writes every key (in the coordinator; an in-process store loads in its worker).</summary>
    public abstract void Load(RunSpec spec);

    /// <summary>A handle for worker <paramref name="worker"/>.</summary>
    public abstract IStore Open(RunSpec spec, int worker);

    /// <summary>The memory the loaded store takes, in bytes; null where it cannot be told.</summary>
    public abstract long? MemoryBytes(RunSpec spec);

    /// <summary>Removes the store.</summary>
    public abstract void Drop(RunSpec spec);

    /// <summary>The value a key starts with: its index (every store and every mix starts from the same values).</summary>
    protected static long Initial(long index) => index;
}
