namespace ShmMaps.Core.Platform;

/// <summary>What the kernel says about an open map file.</summary>
/// <param name="Device">The device number (major &lt;&lt; 32 | minor).</param>
/// <param name="Inode">The inode number.</param>
/// <param name="OwnerUid">The owning user.</param>
/// <param name="GroupGid">The owning group.</param>
/// <param name="Mode">The file type and permission bits (st_mode).</param>
/// <param name="Length">The file length in bytes.</param>
/// <param name="AllocatedBytes">The bytes the file occupies (sparse files use less than their length).</param>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, uint OwnerUid, uint GroupGid, int Mode, long Length, long AllocatedBytes)
{
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;

    /// <summary>True for a regular file.</summary>
    public bool IsRegularFile => (Mode & TypeMask) == RegularFile;

    /// <summary>True for a directory.</summary>
    public bool IsDirectory => (Mode & TypeMask) == Directory;

    /// <summary>The permission bits.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);
}
