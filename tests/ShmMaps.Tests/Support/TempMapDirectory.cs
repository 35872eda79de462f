using System.Diagnostics;
using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>
/// A fresh map directory on tmpfs for one test, removed afterwards. Named after the test process, so that the next
/// test process removes what a killed one left (a test run killed mid-way would otherwise keep its maps in memory).
/// </summary>
public sealed class TempMapDirectory : IDisposable
{
    /// <summary>How old a directory not named after a process must be before it is taken for a dead run's.</summary>
    private static readonly TimeSpan UnnamedStale = TimeSpan.FromHours(1);

    private static int _swept;

    public TempMapDirectory()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm/shmmaps-tests" : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shmmaps-tests");
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            SweepDeadRuns(root);
        }
        Path = System.IO.Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(Path);
        Options = new ShmOptions { Directory = Path };
    }

    public string Path { get; }

    public ShmOptions Options { get; }

    public string FileOf(string name) => System.IO.Path.Combine(Path, name + ".shm");

    public ShmOptions With(TimeSpan lockTimeout) => new() { Directory = Path, LockTimeout = lockTimeout };

    public void Dispose() => Remove(Path);

    /// <summary>Removes the directories of test processes that are gone.</summary>
    private static void SweepDeadRuns(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (string directory in Directory.EnumerateDirectories(root))
        {
            string name = System.IO.Path.GetFileName(directory);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            bool dead = dash > 0 && int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                ? !IsRunning(pid)
                : DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > UnnamedStale;
            if (dead)
            {
                Remove(directory);
            }
        }
    }

    /// <summary>Whether process <paramref name="pid"/> is running (for the sweeps of what dead test runs left).</summary>
    internal static bool IsRunning(int pid)
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

    private static void Remove(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
