using System.Runtime.InteropServices;

namespace ShmMaps.Core.Platform;

/// <summary>
/// Linux: files under <c>/dev/shm/shmmaps-UID</c> (each user's own), <c>open(O_CREAT|O_EXCL|O_NOFOLLOW)</c>, <c>mmap(MAP_SHARED)</c>,
/// and open-file-description byte locks (<c>F_OFD_SETLK</c>) as the liveness lock.
/// </summary>
/// <remarks>
/// OFD locks belong to one open file description rather than to the process, so a second handle of the
/// same file in the same process neither shares nor drops them (classic <c>fcntl</c> locks, which
/// <c>FileStream.Lock</c> takes, vanish when any descriptor of the file is closed).
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe partial class LinuxPlatform : IShmPlatform
{
    /// <summary>The liveness byte lock of a creator while it builds a file under a temporary name (past every lane's lock).</summary>
    public const long CreationLockOffset = (1L << 62) - 1;

    private readonly Lazy<ProcessIdentity> _process = new(ReadCurrentProcess);

    // Linking an unnamed file goes through its /proc/self/fd name (linkat with AT_EMPTY_PATH needs a capability).
    private readonly bool _unnamedFiles = System.IO.Directory.Exists("/proc/self/fd");

    /// <summary>Whether new files are built unnamed (<c>O_TMPFILE</c>) where the file system allows; false: always under temporary names.</summary>
    internal bool UseUnnamedFiles
    {
        get => _unnamedFiles;
        init => _unnamedFiles = value && System.IO.Directory.Exists("/proc/self/fd");
    }

    /// <inheritdoc/>
    public string DefaultDirectory => Directory.Exists("/dev/shm")
        ? $"/dev/shm/shmmaps-{EffectiveUserId}"
        : Path.Combine(Path.GetTempPath(), $"shmmaps-{EffectiveUserId}");

    /// <inheritdoc/>
    public ProcessIdentity CurrentProcess => _process.Value;

    /// <inheritdoc/>
    public uint EffectiveUserId => LinuxNative.GetEuid();

    /// <inheritdoc/>
    public NewMapFile CreateUnpublished(string directory, string name, UnixFileMode mode)
    {
        if (_unnamedFiles)
        {
            int fd = RetryOnInterrupt(() => LinuxNative.Open(directory, LinuxNative.OTmpFile | LinuxNative.ORdWr | LinuxNative.OCloExec, (int)mode));
            if (fd >= 0)
            {
                return new NewMapFile(WithExactMode(new MapFileHandle(fd), mode, directory), null);
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (LinuxNative.EOpNotSupp or LinuxNative.EIsDir or LinuxNative.EInval))
            {
                throw IoError("create an unnamed file in", directory, errno);
            }
            // This file system has no unnamed files: fall back to temporary names.
        }
        while (true)
        {
            string temporary = TemporaryNames.For(directory, name);
            int flags = LinuxNative.ORdWr | LinuxNative.OCreat | LinuxNative.OExcl | LinuxNative.ONoFollow | LinuxNative.OCloExec;
            int fd = RetryOnInterrupt(() => LinuxNative.Open(temporary, flags, (int)mode));
            if (fd < 0)
            {
                throw IoError("create", temporary, Marshal.GetLastPInvokeError());
            }
            MapFileHandle handle = WithExactMode(new MapFileHandle(fd), mode, temporary);
            // The creation lock says "alive" to sweepers; one that took it first is removing the name: take another.
            if (TryLockByte(handle, CreationLockOffset))
            {
                return new NewMapFile(handle, temporary);
            }
            handle.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Publish(NewMapFile file, string path)
    {
        int result = file.TemporaryPath is { } temporary
            ? LinuxNative.Link(temporary, path)
            : LinuxNative.LinkAt(LinuxNative.AtFdCwd, $"/proc/self/fd/{file.Handle.Descriptor}", LinuxNative.AtFdCwd, path, LinuxNative.AtSymlinkFollow);
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == LinuxNative.EExist
                ? new MapExistsException($"map file '{path}' already exists")
                : IoError("link", path, errno);
        }
        Discard(file);
        if (file.TemporaryPath is not null)
        {
            UnlockByte(file.Handle, CreationLockOffset);
        }
    }

    /// <inheritdoc/>
    public void Discard(NewMapFile file)
    {
        if (file.TemporaryPath is { } temporary && LinuxNative.Unlink(temporary) != 0 && Marshal.GetLastPInvokeError() != LinuxNative.ENoEnt)
        {
            throw IoError("unlink", temporary, Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc/>
    public int SweepAbandoned(string directory)
    {
        int removed = 0;
        foreach (string path in Directory.EnumerateFiles(directory, "*" + TemporaryNames.Suffix))
        {
            if (!TemporaryNames.IsTemporary(Path.GetFileName(path)))
            {
                continue;
            }
            int fd = LinuxNative.Open(path, LinuxNative.ORdWr | LinuxNative.ONoFollow | LinuxNative.OCloExec, 0);
            if (fd < 0)
            {
                continue; // gone already, or not ours to open
            }
            using var handle = new MapFileHandle(fd);
            // A free creation lock means its creator died (a live one holds it from the create until it publishes).
            if (Stat(handle) is { IsRegularFile: true } identity && identity.OwnerUid == EffectiveUserId
                && TryLockByte(handle, CreationLockOffset) && LinuxNative.Unlink(path) == 0)
            {
                removed++;
            }
        }
        return removed;
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
    public bool TryReserve(MapFileHandle file, long offset, long length)
    {
        int errno;
        while ((errno = LinuxNative.PosixFallocate(file.Descriptor, offset, length)) == LinuxNative.EIntr)
        {
        }
        return errno switch
        {
            0 => true,
            LinuxNative.ENoSpc => false,
            _ => throw IoError("posix_fallocate", $"[{offset}, +{length}) of fd {file.Descriptor}", errno),
        };
    }

    /// <inheritdoc/>
    public void Populate(byte* address, long length)
    {
        long page = Environment.SystemPageSize;
        nint start = (nint)address & ~(nint)(page - 1);
        long end = ((long)address + length + page - 1) & ~(page - 1);
        _ = LinuxNative.Madvise(start, (nuint)(end - start), LinuxNative.MadvPopulateWrite); // EINVAL before Linux 5.14: the pages fault in as touched
    }

    /// <inheritdoc/>
    public bool Release(MapFileHandle file, long offset, long length)
    {
        while (LinuxNative.Fallocate(file.Descriptor, LinuxNative.FallocPunchHoleKeepSize, offset, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is LinuxNative.EOpNotSupp or LinuxNative.ENoSys)
            {
                return false; // NFS, 9p, vfat and the like: the memory stays the file's
            }
            if (errno != LinuxNative.EIntr)
            {
                throw IoError("fallocate(PUNCH_HOLE)", $"[{offset}, +{length}) of fd {file.Descriptor}", errno);
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public bool IsAllocated(MapFileHandle file, long offset, long length)
    {
        long hole = LinuxNative.LSeek(file.Descriptor, offset, LinuxNative.SeekHole);
        return hole < 0 || hole >= offset + length;
    }

    /// <inheritdoc/>
    public long AvailableBytes(string path)
    {
        LinuxNative.StatVfs result;
        if (LinuxNative.StatVfsCall(path, &result) != 0)
        {
            throw IoError("statvfs", path, Marshal.GetLastPInvokeError());
        }
        return (long)Math.Min(result.AvailableBlocks * result.FragmentSize, long.MaxValue);
    }

    /// <inheritdoc/>
    public byte* Map(MapFileHandle file, long length)
    {
        nint address = LinuxNative.Mmap(0, (nuint)length, LinuxNative.ProtReadWrite, LinuxNative.MapShared, file.Descriptor, 0);
        if (address == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == OutOfMemory
                ? new IOException($"mmap failed for {length} bytes of fd {file.Descriptor}: the process has no address space or mappings left " +
                    "(ulimit -v, vm.max_map_count): close maps it no longer uses, or bound a map's growth with ShmOptions.MaxCapacity (errno 12)")
                : IoError("mmap", $"{length} bytes of fd {file.Descriptor}", errno);
        }
        return (byte*)address;
    }

    /// <inheritdoc/>
    public void Unmap(byte* address, long length) => LinuxNative.Munmap((nint)address, (nuint)length);

    /// <inheritdoc/>
    public void MapZeros(byte* address, long length)
    {
        const int flags = LinuxNative.MapPrivate | LinuxNative.MapAnonymous | LinuxNative.MapFixed;
        nint mapped = LinuxNative.Mmap((nint)address, (nuint)length, LinuxNative.ProtReadWrite, flags, -1, 0);
        if (mapped == -1)
        {
            throw IoError("mmap(MAP_FIXED|MAP_ANONYMOUS)", $"{length} bytes at 0x{(nint)address:X}", Marshal.GetLastPInvokeError());
        }
    }

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
    public void Park(int* word, int expected, TimeSpan timeout)
    {
        if (LinuxNative.FutexSyscall < 0)
        {
            Thread.Sleep(TimeSpan.FromTicks(Math.Min(timeout.Ticks, TimeSpan.TicksPerMillisecond))); // no futex: a short nap stands in
            return;
        }
        long ticks = Math.Max(0, timeout.Ticks);
        var relative = new LinuxNative.Timespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
        // EAGAIN (the word moved on), ETIMEDOUT and EINTR all return: the caller looks at the word again.
        LinuxNative.Futex(LinuxNative.FutexSyscall, word, LinuxNative.FutexWait, expected, &relative);
    }

    /// <inheritdoc/>
    public void WakeAll(int* word)
    {
        if (LinuxNative.FutexSyscall > 0)
        {
            LinuxNative.Futex(LinuxNative.FutexSyscall, word, LinuxNative.FutexWake, int.MaxValue, null);
        }
    }

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

    /// <summary>Sets a new file's mode exactly: the mode given to open() is filtered by the umask.</summary>
    private static MapFileHandle WithExactMode(MapFileHandle handle, UnixFileMode mode, string what)
    {
        if (LinuxNative.FChmod(handle.Descriptor, (int)mode) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw IoError("chmod", what, errno);
        }
        return handle;
    }

    private static FileIdentity ToIdentity(in LinuxNative.Statx s) =>
        new(((ulong)s.DevMajor << 32) | s.DevMinor, s.Inode, s.Uid, s.Gid, s.Mode, (long)s.Size, (long)s.Blocks * 512);

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

    private const int OutOfMemory = 12; // ENOMEM

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
