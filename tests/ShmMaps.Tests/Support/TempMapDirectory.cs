namespace ShmMaps.Tests.Support;

/// <summary>A fresh map directory on tmpfs for one test, removed afterwards.</summary>
public sealed class TempMapDirectory : IDisposable
{
    public TempMapDirectory()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm/shmmaps-tests" : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shmmaps-tests");
        Path = System.IO.Path.Combine(root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        Options = new ShmOptions { Directory = Path };
    }

    public string Path { get; }

    public ShmOptions Options { get; }

    public string FileOf(string name) => System.IO.Path.Combine(Path, name + ".shm");

    public ShmOptions With(TimeSpan lockTimeout) => new() { Directory = Path, LockTimeout = lockTimeout };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
