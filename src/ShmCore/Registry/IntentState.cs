namespace ShmMaps.Core.Registry;

/// <summary>Where a lane's current write stands; recovery of a dead lane reads it.</summary>
internal enum IntentState : uint
{
    /// <summary>No write in progress.</summary>
    Idle = 0,

    /// <summary>About to lock the intent's word (or holding it, nothing changed yet): the data is whole.</summary>
    Locking = 1,

    /// <summary>Holding the word with the undo image saved: the data may be half written; restore the undo.</summary>
    Active = 2,

    /// <summary>The write is complete (count included); only the unlock may be missing.</summary>
    Done = 3,

    /// <summary>
    /// Holding the intent's word to apply another lane's committed scope to it (<see cref="LaneRecord.RollForwardLane"/>):
    /// a recoverer of this lane applies the same records again.
    /// </summary>
    RollingForward = 4,
}
