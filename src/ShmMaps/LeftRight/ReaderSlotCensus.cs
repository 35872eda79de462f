namespace ShmMaps;

/// <summary>The reader slots of a <c>LeftRightMap</c> at one moment: how many exist, how many live threads hold, how many dead processes left pinned.</summary>
/// <param name="Total">The slots the map was created with (<see cref="ShmOptions.ReaderSlots"/>).</param>
/// <param name="HeldByLiveThreads">Slots whose holder is alive.</param>
/// <param name="PinnedByDeadProcesses">Slots a dead process left inside a guard (the writer frees them when it next waits).</param>
public readonly record struct ReaderSlotCensus(int Total, int HeldByLiveThreads, int PinnedByDeadProcesses);
