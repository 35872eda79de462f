using System.Runtime.InteropServices;

namespace ShmMaps.Core.Platform;

/// <summary>
/// Linux: files under <c>/dev/shm/shmmaps</c>, <c>open(O_CREAT|O_EXCL|O_NOFOLLOW)</c>, <c>mmap(MAP_SHARED)</c>,
/// and open-file-description byte locks (<c>F_OFD_SETLK</c>) as the liveness lock.
/// </summary>
/// <remarks>
/// OFD locks belong to one open file description rather than to the process, so a second handle of the
/// same file in the same process neither shares nor drops them (classic <c>fcntl</c> locks, which
/// <c>FileStream.Lock</c> takes, vanish when any descriptor of the file is closed).
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe class LinuxPlatform : IShmPlatform
{
    private readonly Lazy<ProcessIdentity> _process = new(ReadCurrentProcess);

    /// <inheritdoc/>
    public string DefaultDirectory => "/dev/shm/shmmaps";

    /// <inheritdoc/>
    public ProcessIdentity CurrentProcess => _process.Value;

    /// <inheritdoc/>
    public uint EffectiveUserId => LinuxNative.GetEuid();

    /// <inheritdoc/>
    public void EnsureDirectory(string path)
    {
        FileIdentity? found = StatPath(path);
        if (found is null)
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            found = StatPath(path);
        }
        if (found is not { IsDirectory: true } directory)
        {
            throw new IOException($"map directory '{path}' is not a directory (a symbolic link or a file is refused)");
        }
        bool othersMayWrite = (directory.Permissions & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
        bool sticky = (directory.Mode & 0x200) != 0;
        if (othersMayWrite && !sticky && directory.OwnerUid != EffectiveUserId)
        {
            throw new IOException($"map directory '{path}' belongs to uid {directory.OwnerUid} and others may write it; refusing to use it");
        }
    }

    /// <inheritdoc/>
    public MapFileHandle CreateExclusive(string path, UnixFileMode mode)
    {
        int flags = LinuxNative.ORdWr | LinuxNative.OCreat | LinuxNative.OExcl | LinuxNative.ONoFollow | LinuxNative.OCloExec;
        int fd = RetryOnInterrupt(() => LinuxNative.Open(path, flags, (int)mode));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxNative.EExist)
            {
                throw new MapExistsException($"map file '{path}' already exists");
            }
            throw IoError("create", path, errno);
        }
        var handle = new MapFileHandle(fd);
        // The mode given to open() is filtered by the umask; set it exactly.
        if (LinuxNative.FChmod(fd, (int)mode) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw IoError("chmod", path, errno);
        }
        return handle;
    }

    /// <inheritdoc/>
    public MapFileHandle OpenExisting(string path)
    {
        int flags = LinuxNative.ORdWr | LinuxNative.ONoFollow | LinuxNative.OCloExec;
        int fd = RetryOnInterrupt(() => LinuxNative.Open(path, flags, 0));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                LinuxNative.ENoEnt => new MapNotFoundException($"no map file at '{path}'"),
                LinuxNative.ELoop => new CorruptMapException($"'{path}' is a symbolic link; map files are never opened through one"),
                _ => IoError("open", path, errno),
            };
        }
        return new MapFileHandle(fd);
    }

    /// <inheritdoc/>
    public FileIdentity Stat(MapFileHandle file)
    {
        LinuxNative.Statx result;
        if (LinuxNative.StatX(file.Descriptor, "", LinuxNative.AtEmptyPath, LinuxNative.StatxBasicStats, &result) != 0)
        {
            throw IoError("statx", $"fd {file.Descriptor}", Marshal.GetLastPInvokeError());
        }
        return ToIdentity(result);
    }

    /// <inheritdoc/>
    public FileIdentity? StatPath(string path)
    {
        LinuxNative.Statx result;
        if (LinuxNative.StatX(LinuxNative.AtFdCwd, path, LinuxNative.AtSymlinkNoFollow, LinuxNative.StatxBasicStats, &result) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == LinuxNative.ENoEnt ? null : throw IoError("statx", path, errno);
        }
        return ToIdentity(result);
    }

    /// <inheritdoc/>
    public void SetLength(MapFileHandle file, long length)
    {
        if (RetryOnInterrupt(() => LinuxNative.FTruncate(file.Descriptor, length)) != 0)
        {
            throw IoError("ftruncate", $"fd {file.Descriptor}", Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc/>
    public byte* Map(MapFileHandle file, long length)
    {
        nint address = LinuxNative.Mmap(0, (nuint)length, LinuxNative.ProtReadWrite, LinuxNative.MapShared, file.Descriptor, 0);
        if (address == -1)
        {
            throw IoError("mmap", $"{length} bytes of fd {file.Descriptor}", Marshal.GetLastPInvokeError());
        }
        return (byte*)address;
    }

    /// <inheritdoc/>
    public void Unmap(byte* address, long length) => LinuxNative.Munmap((nint)address, (nuint)length);

    /// <inheritdoc/>
    public bool TryLockByte(MapFileHandle file, long offset)
    {
        var request = new LinuxNative.Flock { Type = LinuxNative.FWrLck, Start = offset, Length = 1 };
        if (LinuxNative.Fcntl(file.Descriptor, LinuxNative.FOfdSetLk, &request) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno is LinuxNative.EAgain or LinuxNative.EAccess ? false : throw IoError("fcntl(F_OFD_SETLK)", $"fd {file.Descriptor}", errno);
    }

    /// <inheritdoc/>
    public void UnlockByte(MapFileHandle file, long offset)
    {
        var request = new LinuxNative.Flock { Type = LinuxNative.FUnLck, Start = offset, Length = 1 };
        LinuxNative.Fcntl(file.Descriptor, LinuxNative.FOfdSetLk, &request);
    }

    /// <inheritdoc/>
    public bool TryRegisterForSystemWideBarrier() =>
        LinuxNative.MembarrierSyscall > 0
        && LinuxNative.Syscall(LinuxNative.MembarrierSyscall, LinuxNative.MembarrierRegisterGlobalExpedited, 0) == 0
        && SystemWideBarrier();

    /// <inheritdoc/>
    public bool SystemWideBarrier() =>
        LinuxNative.MembarrierSyscall > 0 && LinuxNative.Syscall(LinuxNative.MembarrierSyscall, LinuxNative.MembarrierGlobalExpedited, 0) == 0;

    /// <inheritdoc/>
    public bool IsByteLockedByOther(MapFileHandle file, long offset)
    {
        var request = new LinuxNative.Flock { Type = LinuxNative.FWrLck, Start = offset, Length = 1 };
        if (LinuxNative.Fcntl(file.Descriptor, LinuxNative.FOfdGetLk, &request) != 0)
        {
            throw IoError("fcntl(F_OFD_GETLK)", $"fd {file.Descriptor}", Marshal.GetLastPInvokeError());
        }
        return request.Type != LinuxNative.FUnLck;
    }

    /// <inheritdoc/>
    public bool Delete(string path)
    {
        if (LinuxNative.Unlink(path) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno == LinuxNative.ENoEnt ? false : throw IoError("unlink", path, errno);
    }

    private static FileIdentity ToIdentity(in LinuxNative.Statx s) =>
        new(((ulong)s.DevMajor << 32) | s.DevMinor, s.Inode, s.Uid, s.Mode, (long)s.Size, (long)s.Blocks * 512);

    private static int RetryOnInterrupt(Func<int> call)
    {
        while (true)
        {
            int result = call();
            if (result >= 0 || Marshal.GetLastPInvokeError() != LinuxNative.EIntr)
            {
                return result;
            }
        }
    }

    private static IOException IoError(string operation, string what, int errno) =>
        new($"{operation} failed for {what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    private static ProcessIdentity ReadCurrentProcess()
    {
        int pid = Environment.ProcessId;
        string stat = File.ReadAllText("/proc/self/stat");
        // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        ulong startTicks = ulong.Parse(rest[22 - 3], System.Globalization.CultureInfo.InvariantCulture);
        Guid bootId = Guid.TryParse(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), out Guid id) ? id : Guid.Empty;
        return new ProcessIdentity(pid, startTicks, bootId);
    }
}
