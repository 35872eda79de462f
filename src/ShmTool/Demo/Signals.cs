using System.Runtime.InteropServices;

namespace ShmMaps.Tool.Demo;

/// <summary>Asking a child process to stop the way a service manager does: SIGTERM.</summary>
internal static class Signals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; false if it is gone already.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
