using System.Runtime.InteropServices;

namespace ShmMaps.Core.Platform;

/// <summary>The libc calls the Linux platform needs, with the constants that differ by architecture.</summary>
internal static unsafe partial class LinuxNative
{
    public const int ORdWr = 0x2;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OCloExec = 0x80000;

    /// <summary>AT_SYMLINK_FOLLOW for linkat: follow the /proc/self/fd link to the open file.</summary>
    public const int AtSymlinkFollow = 0x400;

    public const int EIntr = 4;
    public const int ENoEnt = 2;
    public const int EAgain = 11;
    public const int EAccess = 13;
    public const int EExist = 17;
    public const int ELoop = 40;
    public const int EIsDir = 21;
    public const int EInval = 22;
    public const int ENoSpc = 28;
    public const int EOpNotSupp = 95;
    public const int ENoSys = 38;

    public const int FOfdGetLk = 36;
    public const int FOfdSetLk = 37;
    public const short FWrLck = 1;
    public const short FUnLck = 2;

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;
    public const uint StatxBasicStats = 0x7ff;

    public const int ProtReadWrite = 0x3;
    public const int MapShared = 0x1;
    public const int MapPrivate = 0x2;
    public const int MapFixed = 0x10;
    public const int MapAnonymous = 0x20;

    /// <summary>O_NOFOLLOW: 0x20000 on x64, 0x8000 on the generic ABI (ARM64).</summary>
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 0x20000 : 0x8000;

    /// <summary>O_TMPFILE (with O_DIRECTORY): 0x410000 on x64, 0x404000 on the generic ABI (ARM64).</summary>
    public static int OTmpFile => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 0x410000 : 0x404000;

    /// <summary>struct statvfs of glibc on 64-bit targets (the same layout on x64 and ARM64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    public struct StatVfs
    {
        [FieldOffset(0)] public ulong BlockSize;
        [FieldOffset(8)] public ulong FragmentSize;
        [FieldOffset(16)] public ulong Blocks;
        [FieldOffset(24)] public ulong FreeBlocks;
        [FieldOffset(32)] public ulong AvailableBlocks;
    }

    /// <summary>struct flock of Linux on 64-bit targets (the same layout on x64 and ARM64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct Flock
    {
        [FieldOffset(0)] public short Type;
        [FieldOffset(2)] public short Whence;
        [FieldOffset(8)] public long Start;
        [FieldOffset(16)] public long Length;
        [FieldOffset(24)] public int Pid;
    }

    /// <summary>struct statx: one layout on every architecture, which is why it is used instead of stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(48)] public ulong Blocks;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    /// <summary>membarrier(2) commands (linux/membarrier.h).</summary>
    public const int MembarrierGlobalExpedited = 1 << 1;
    public const int MembarrierRegisterGlobalExpedited = 1 << 2;

    /// <summary>The membarrier system call's number on this architecture; -1 where unknown.</summary>
    public static long MembarrierSyscall => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => 324,
        System.Runtime.InteropServices.Architecture.Arm64 => 283,
        _ => -1,
    };

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long command, long flags);

    /// <summary>The futex system call's number on this architecture; -1 where unknown.</summary>
    public static long FutexSyscall => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => 202,
        System.Runtime.InteropServices.Architecture.Arm64 => 98,
        _ => -1,
    };

    /// <summary>futex(2) operations, without FUTEX_PRIVATE_FLAG: a word of a shared file mapping is one futex for every process.</summary>
    public const int FutexWait = 0;
    public const int FutexWake = 1;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial long Futex(long number, int* address, int operation, int value, Timespec* timeout);

    /// <summary>struct timespec: a relative timeout of futex(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, int mode);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);

    /// <summary>madvise: fault the pages in, writable, now (Linux 5.14 and later).</summary>
    public const int MadvPopulateWrite = 23;

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, Flock* lockRecord);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatX(int dirFd, string path, int flags, uint mask, Statx* result);

    /// <summary>lseek whence: the next hole at or after the offset (the file's end counts as one).</summary>
    public const int SeekHole = 4;

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int existingDirFd, string existing, int newDirFd, string newPath, int flags);

    /// <summary>Returns 0 or the error number itself (it does not set errno).</summary>
    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    /// <summary>fallocate mode: free the range's memory (a hole), the file's length unchanged.</summary>
    public const int FallocPunchHoleKeepSize = 0x02 | 0x01;

    [LibraryImport("libc", EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatVfsCall(string path, StatVfs* result);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEgid();
}
