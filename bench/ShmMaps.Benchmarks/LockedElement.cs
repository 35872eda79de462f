namespace ShmMaps.Benchmarks;

/// <summary>The peer of an <c>RwStore</c> element in one process: a value and its own <see cref="ReaderWriterLockSlim"/>.</summary>
public sealed class LockedElement
{
    public ReaderWriterLockSlim Lock { get; } = new(LockRecursionPolicy.NoRecursion);

    public long Value;
}
