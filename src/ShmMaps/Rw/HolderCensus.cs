namespace ShmMaps.Rw;

/// <summary>
/// What the hold records say about one element at one moment: its live holders and waiting writers, the
/// records dead processes left on it, and one live holder's pid for messages.
/// </summary>
internal readonly record struct HolderCensus(int Readers, int Writers, int PendingWriters, int DeadRecords, int HolderPid)
{
    /// <summary>
    /// Whether the element word <paramref name="word"/> (read before the census) counts a holder no live record
    /// explains, or a dead process left a record on it: then only a recount can set the word right.
    /// </summary>
    public bool NeedsRecovery(ulong word) =>
        DeadRecords > 0
        || (long)ElementWord.Readers(word) > Readers
        || (ElementWord.HasWriter(word) && Writers == 0)
        || (ElementWord.HasPending(word) && PendingWriters == 0 && Writers == 0);
}
