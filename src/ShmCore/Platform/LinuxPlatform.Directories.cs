namespace ShmMaps.Core.Platform;

/// <summary>Linux: the map directory, made and checked (whose it is, who else may write it).</summary>
internal sealed partial class LinuxPlatform
{
    /// <inheritdoc/>
    public void EnsureDirectory(string path, bool shared)
    {
        if (StatPath(path) is null)
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        CheckDirectory(path, shared);
    }

    /// <inheritdoc/>
    public void CheckDirectory(string path, bool shared)
    {
        FileIdentity? found = StatPath(path);
        if (found is null)
        {
            throw new MapNotFoundException($"map directory '{path}' does not exist");
        }
        if (found is not { IsDirectory: true } directory)
        {
            throw new IOException($"map directory '{path}' is not a directory (a symbolic link or a file is refused)");
        }
        if (shared)
        {
            return;
        }
        if (directory.OwnerUid != EffectiveUserId && directory.OwnerUid != 0)
        {
            throw new IOException(
                $"map directory '{path}' belongs to uid {directory.OwnerUid}, not to this user (uid {EffectiveUserId}); " +
                "set ShmOptions.RequireSameOwner = false to share maps between users");
        }
        // A group-writable directory of this user's own group (a user-private group, umask 002) lets no one else in.
        bool othersMayWrite = (directory.Permissions & UnixFileMode.OtherWrite) != 0
            || ((directory.Permissions & UnixFileMode.GroupWrite) != 0 && directory.GroupGid != LinuxNative.GetEgid());
        if (othersMayWrite && (directory.Permissions & UnixFileMode.StickyBit) == 0)
        {
            throw new IOException(
                $"map directory '{path}' (mode {Octal(directory.Permissions)}) lets other users replace its files; " +
                "use a directory only this user can write (or a sticky one), or set ShmOptions.RequireSameOwner = false to share maps");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
