namespace ShmMaps.Workload;

/// <summary>A ShmMaps kind whose values are the run's (8 bytes: <c>long</c>; 100 bytes: <see cref="Value100"/>).</summary>
internal abstract class ValueTypedKind : ShmMapsKind
{
    public sealed override void Load(RunSpec spec)
    {
        if (spec.ValueSize == 8)
        {
            Fill<long>(spec);
        }
        else
        {
            Fill<Value100>(spec);
        }
    }

    public sealed override IStore Open(RunSpec spec, int worker) => spec.ValueSize == 8 ? Open<long>(spec) : Open<Value100>(spec);

    /// <summary>Creates the store and puts in the run's keys with their initial values.</summary>
    protected abstract void Fill<T>(RunSpec spec) where T : unmanaged;

    /// <summary>A worker's handle on the store.</summary>
    protected abstract IStore Open<T>(RunSpec spec) where T : unmanaged;
}
