namespace ShmMaps.Striped;

/// <summary>How much redo log a <see cref="KeyLock{TKey,TValue}"/> may write: every lane of a striped map has room for it.</summary>
internal static class KeyLockLog
{
    /// <summary>The most distinct keys one KeyLock takes.</summary>
    public const int MaxKeys = 16;

    /// <summary>
    /// A record without bytes per stripe held (at most one per key), then the redo records: each key changes at most two
    /// cells in a scope (the one it leaves and the one it takes).
    /// </summary>
    public static int Capacity(int cellStride) => (MaxKeys * ScopeLog.RecordSize(0)) + (2 * MaxKeys * ScopeLog.RecordSize(cellStride));
}
