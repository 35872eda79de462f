namespace ShmMaps.Inspection;

/// <summary>What check and recover do with a lock word: report a dead holder, or recover it.</summary>
internal static unsafe class LockSettler
{
    /// <summary>
    /// False if the word is locked by a dead process and we only check; with recover, the waiter releases it
    /// (restoring the undo image of a half-done write) and the walk goes on.
    /// </summary>
    public static bool Settle(MapRegion region, ulong* word, string what, CheckReport report, bool recover)
    {
        ulong seen = SharedMemory.ReadAcquire(word);
        if (!LockWord.IsLocked(seen) || !region.Lanes.IsOwnerDead(seen))
        {
            return true;
        }
        int lane = LockWord.OwnerLane(seen);
        if (!recover)
        {
            report.Add($"{what} is locked by lane {lane} of dead process {region.Lanes.Record(lane)->Pid}: run 'shm recover {region.Name}' (or any access recovers it)");
            return false;
        }
        LockWaiter.WaitUnlocked(region.Lanes, word, seen);
        report.Recovered++;
        return true;
    }
}
