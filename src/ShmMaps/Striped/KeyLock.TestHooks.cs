namespace ShmMaps;

/// <summary>What white-box tests reach into.</summary>
public sealed partial class KeyLock<TKey, TValue>
{
    /// <summary>The lane the scope writes through.</summary>
    internal int LaneIndex => _lane.Index;
}
