namespace ShmMaps.Rw;

/// <summary>What a hold record says its thread is doing (byte 4 of the record's state word).</summary>
internal enum HoldState : byte
{
    /// <summary>Free: the record names nothing.</summary>
    None = 0,

    /// <summary>About to join (or joined, if the CAS went through) the element's readers.</summary>
    ReadAcquiring = 1,

    /// <summary>One of the element's readers.</summary>
    ReadHeld = 2,

    /// <summary>About to take (or took, if the CAS went through) the element's write lock; the value is untouched.</summary>
    WriteAcquiring = 3,

    /// <summary>Waiting to write, with the element's writer-pending bit set so that no new reader joins.</summary>
    WritePending = 4,

    /// <summary>Holds the write lock; the undo image is the value before the lock. A crash restores it.</summary>
    WriteActive = 5,

    /// <summary>Holds the write lock, the new value is final, about to unlock (or free the slot).</summary>
    WriteDone = 6,

    /// <summary>Allocation record, under the free-list lock: taking the slot it names (from the list or never used).</summary>
    Taking = 7,

    /// <summary>Allocation record: the slot it names is out of the list and not yet live (the insert is filling it).</summary>
    Taken = 8,

    /// <summary>Allocation record, under the free-list lock: putting the slot it names back on the list.</summary>
    Returning = 9,

    /// <summary>Allocation record, under the free-list lock and the element's write lock: freeing the element it names.</summary>
    Removing = 10,
}
