namespace ShmMaps.LeftRight;

/// <summary>One change of a write guard, kept to replay onto the other copy once no reader is on it.</summary>
internal readonly record struct LeftRightChange<TKey, TValue>(TKey Key, TValue Value, bool Removes)
    where TKey : unmanaged
    where TValue : unmanaged;
