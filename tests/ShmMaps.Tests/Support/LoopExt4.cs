namespace ShmMaps.Tests.Support;

/// <summary>
/// An ext4 file system for one test (a disk file system, as a directory kept across reboots would be), made in an
/// image file on /dev/shm (never on the disk) and loop-mounted; unmounted and removed afterwards. Tests run as root;
/// <see cref="TryMount"/> says why not where that is refused.
/// </summary>
public sealed class LoopExt4 : IDisposable
{
    private readonly string _image;

    private LoopExt4(string image, string path)
    {
        _image = image;
        Path = path;
        Options = new ShmOptions { Directory = path };
    }

    public string Path { get; }

    public ShmOptions Options { get; }

    /// <summary>Mounts an ext4 file system of <paramref name="mebibytes"/> MiB, or returns null and the reason it could not.</summary>
    public static LoopExt4? TryMount(int mebibytes, out string why)
    {
        string name = "shmmaps-ext4-" + Guid.NewGuid().ToString("N");
        string image = System.IO.Path.Combine("/dev/shm", name + ".img");
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name);
        try
        {
            using (FileStream file = File.Create(image))
            {
                file.SetLength((long)mebibytes << 20); // sparse: only what ext4 writes takes memory
            }
            (int code, string output) = Shell.Run("mkfs.ext4", "-q", "-F", image);
            if (code == 0)
            {
                Directory.CreateDirectory(path);
                (code, output) = Shell.Run("mount", "-o", "loop", image, path);
            }
            if (code != 0)
            {
                why = $"mkfs.ext4 or mount -o loop refused ({output.Trim()}); this test needs root and e2fsprogs";
                Remove(image, path);
                return null;
            }
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            why = "";
            return new LoopExt4(image, path);
        }
        catch (IOException e)
        {
            why = $"no image on /dev/shm: {e.Message}";
            Remove(image, path);
            return null;
        }
    }

    public void Dispose()
    {
        Shell.Run("umount", Path);
        Remove(_image, Path);
    }

    private static void Remove(string image, string path)
    {
        try
        {
            File.Delete(image);
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }
        }
        catch (IOException)
        {
        }
    }
}
