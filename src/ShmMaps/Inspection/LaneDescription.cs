namespace ShmMaps.Inspection;

/// <summary>One writer lane: who last held it, whether that process still does, and what it was doing.</summary>
/// <param name="Index">The lane's index.</param>
/// <param name="Pid">The pid of its last holder.</param>
/// <param name="Alive">True while a live process holds the lane's kernel lock.</param>
/// <param name="Generation">How many times the lane was claimed.</param>
/// <param name="Claimed">When its last holder claimed it; null if the file holds no valid time.</param>
/// <param name="Intent">The holder's write state (Idle, Locking, Active, Done).</param>
/// <param name="EntryCount">The lane's share of the map's entry count.</param>
public sealed record LaneDescription(int Index, int Pid, bool Alive, uint Generation, DateTimeOffset? Claimed, string Intent, long EntryCount);
