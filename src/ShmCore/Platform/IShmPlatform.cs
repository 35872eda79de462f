namespace ShmMaps.Core.Platform;

/// <summary>
/// Everything that differs between operating systems: where map files live, how one is created
/// safely and mapped, the liveness lock that dies with its process, and who this process is.
/// Map kinds never see more than this.
/// </summary>
internal unsafe interface IShmPlatform
{
    /// <summary>The directory used when neither options nor <c>SHMMAPS_DIR</c> name one.</summary>
    string DefaultDirectory { get; }

    /// <summary>This process.</summary>
    ProcessIdentity CurrentProcess { get; }

    /// <summary>Creates the directory (mode 0700) if missing and checks that it is a real directory.</summary>
    void EnsureDirectory(string path);

    /// <summary>Creates a new file exclusively, never following a symlink; <see cref="MapExistsException"/> if the path exists.</summary>
    MapFileHandle CreateExclusive(string path, UnixFileMode mode);

    /// <summary>Opens an existing file for reading and writing, never following a symlink; <see cref="MapNotFoundException"/> if missing.</summary>
    MapFileHandle OpenExisting(string path);

    /// <summary>What the kernel says about the open file.</summary>
    FileIdentity Stat(MapFileHandle file);

    /// <summary>What the kernel says about a path, without following a final symlink; null if it does not exist.</summary>
    FileIdentity? StatPath(string path);

    /// <summary>Sets the file's length (sparse where the file system allows).</summary>
    void SetLength(MapFileHandle file, long length);

    /// <summary>Maps <paramref name="length"/> bytes of the file shared, readable and writable.</summary>
    byte* Map(MapFileHandle file, long length);

    /// <summary>Undoes <see cref="Map"/>.</summary>
    void Unmap(byte* address, long length);

    /// <summary>
    /// Takes the exclusive liveness lock on one byte offset of the file for this handle; false if another
    /// handle (of any process) holds it. The lock is released by the kernel when the handle's process dies.
    /// </summary>
    bool TryLockByte(MapFileHandle file, long offset);

    /// <summary>Releases a lock taken by <see cref="TryLockByte"/>.</summary>
    void UnlockByte(MapFileHandle file, long offset);

    /// <summary>True when a handle other than <paramref name="file"/> (of any process) holds the byte's lock.</summary>
    bool IsByteLockedByOther(MapFileHandle file, long offset);

    /// <summary>
    /// Registers this process for <see cref="SystemWideBarrier"/> and checks that the barrier works; false where
    /// it does not (the process must then fence on its own).
    /// </summary>
    bool TryRegisterForSystemWideBarrier();

    /// <summary>
    /// A full memory barrier on every running thread of every registered process (Linux membarrier,
    /// global expedited): what lets readers skip their own fence. False if the system refuses.
    /// </summary>
    bool SystemWideBarrier();

    /// <summary>Removes a file; false if it did not exist.</summary>
    bool Delete(string path);

    /// <summary>The current user id, for the owner check on open.</summary>
    uint EffectiveUserId { get; }
}
