namespace ShmMaps.Tests.Support;

/// <summary>
/// A tmpfs of a few MiB mounted for one test (tests run as root), unmounted afterwards: a full file system is then
/// a few maps away. <see cref="TryMount"/> says why not where mounting is refused.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path)
    {
        Path = path;
        Options = new ShmOptions { Directory = path };
    }

    public string Path { get; }

    public ShmOptions Options { get; }

    /// <summary>Mounts a tmpfs of <paramref name="mebibytes"/> MiB, or returns null and the reason it could not.</summary>
    public static SmallTmpfs? TryMount(int mebibytes, out string why)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shmmaps-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        (int code, string output) = Shell.Run("mount", "-t", "tmpfs", "-o", $"size={mebibytes}m,mode=0700", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            why = $"mount -t tmpfs refused ({output.Trim()}); this test needs root";
            return null;
        }
        why = "";
        return new SmallTmpfs(path);
    }

    public void Dispose()
    {
        Shell.Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
