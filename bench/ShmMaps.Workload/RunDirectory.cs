using System.Diagnostics;
using System.Globalization;

namespace ShmMaps.Workload;

/// <summary>
/// This process's map directory on /dev/shm, <c>&lt;prefix&gt;-&lt;pid&gt;</c>: made after removing those of processes that are
/// gone (a killed run would otherwise keep its maps, gigabytes of them, in memory).
/// </summary>
internal static class RunDirectory
{
    public static string Create(string prefix)
    {
        foreach (string stale in Directory.EnumerateDirectories("/dev/shm", prefix + "-*"))
        {
            string pid = Path.GetFileName(stale)[(prefix.Length + 1)..];
            if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && !IsRunning(id))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
        string directory = Path.Combine("/dev/shm", string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Environment.ProcessId}"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
