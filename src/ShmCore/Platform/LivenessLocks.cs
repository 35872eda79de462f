namespace ShmMaps.Core.Platform;

/// <summary>Claiming one of a table's liveness byte locks (writer lanes, reader slots): the first that no live handle holds.</summary>
internal static class LivenessLocks
{
    /// <summary>
    /// Locks the first of <paramref name="count"/> bytes at <paramref name="lockBase"/> that nobody holds, starting
    /// at this process's id (so processes spread out) and skipping those <paramref name="heldHere"/> says this
    /// handle has (our own descriptor's locks never conflict with themselves); -1 if every one is held.
    /// A byte whose lock is free was never used or belonged to a process that died: the caller reclaims it.
    /// </summary>
    public static int LockFirstFree(IShmPlatform platform, MapFileHandle file, long lockBase, int count, Func<int, bool> heldHere)
    {
        int start = Environment.ProcessId % count;
        for (int i = 0; i < count; i++)
        {
            int index = (start + i) % count;
            if (!heldHere(index) && platform.TryLockByte(file, lockBase + index))
            {
                return index;
            }
        }
        return -1;
    }
}
