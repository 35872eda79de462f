namespace ShmMaps.Tests.Support;

/// <summary>
/// A map that grows, as the growth tests drive every kind: key <c>i</c> holds the value its kind's child role writes
/// for it (<see cref="ValueOf"/>).
/// </summary>
public interface IGrowingMap : IDisposable
{
    /// <summary>The entries, summed as the map counts them.</summary>
    long Count { get; }

    /// <summary>The generation writes go to.</summary>
    int Generation { get; }

    /// <summary>The value key <paramref name="i"/> holds once inserted.</summary>
    long ValueOf(long i);

    /// <summary>Inserts key <paramref name="i"/> with <see cref="ValueOf"/>.</summary>
    void Insert(long i);

    /// <summary>Looks key <paramref name="i"/> up.</summary>
    bool TryGet(long i, out long value);

    /// <summary>Removes key <paramref name="i"/>, giving its value.</summary>
    bool TryRemove(long i, out long value);

    /// <summary>The entries an enumeration yields.</summary>
    long Enumerated();
}
