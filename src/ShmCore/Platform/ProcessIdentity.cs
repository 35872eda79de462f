namespace ShmMaps.Core.Platform;

/// <summary>Who a process is: its id, when it started (to tell a reused id apart) and the boot it lives in.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="StartTicks">The start time in clock ticks since boot (/proc/pid/stat field 22).</param>
/// <param name="BootId">The kernel's boot id, 16 bytes.</param>
internal sealed record ProcessIdentity(int Pid, ulong StartTicks, Guid BootId);
