namespace ShmMaps.Folklore;

/// <summary>How far the writer of a key slot got.</summary>
internal enum KeySlotState : uint
{
    /// <summary>Allocated, bytes being written.</summary>
    Writing = 0,

    /// <summary>Written whole; named by an entry once its writer's CAS succeeds.</summary>
    Written = 1,

    /// <summary>Its writer lost the race to add the key and could not give the slot back: wasted.</summary>
    Abandoned = 2,
}
