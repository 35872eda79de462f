namespace ShmMaps.Core.Registry;

/// <summary>Where a lane's multi-word scope stands (a lock scope whose writes are applied all together).</summary>
internal enum ScopeState : uint
{
    /// <summary>No scope is being applied: its writes are either all in place or none were made.</summary>
    None = 0,

    /// <summary>
    /// The scope's redo log is complete and decided: its records are being written to their words'
    /// data. Whoever takes one of those words from a dead holder writes that word's records again.
    /// </summary>
    Committing = 1,

    /// <summary>
    /// The scope's log lists the words it holds (records without bytes), none written: whoever claims the lane next
    /// releases those still locked by an earlier holder. Committing appends the redo records after them.
    /// </summary>
    Holding = 2,
}
