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

    /// <summary>
    /// Creates the directory (mode 0700) if missing, then checks it as <see cref="CheckDirectory"/> does.
    /// </summary>
    void EnsureDirectory(string path, bool shared);

    /// <summary>
    /// Checks that <paramref name="path"/> is a real directory (never a symlink) that no other user can replace files
    /// in: owned by this user or root, and not writable by others (nor by a group other than this user's) unless it is
    /// sticky. With
    /// <paramref name="shared"/> (maps shared between users) any owner and mode is accepted. <see cref="IOException"/>
    /// naming the problem otherwise.
    /// </summary>
    void CheckDirectory(string path, bool shared);

    /// <summary>
    /// Creates a new file in <paramref name="directory"/> that no map name names yet (unnamed where the file system
    /// allows, else under a temporary name), never following a symlink, with exactly <paramref name="mode"/>.
    /// The caller builds it, then <see cref="Publish"/>es or <see cref="Discard"/>s it.
    /// </summary>
    NewMapFile CreateUnpublished(string directory, string name, UnixFileMode mode);

    /// <summary>
    /// Gives a built file its name <paramref name="path"/> without ever replacing a file: <see cref="MapExistsException"/>
    /// if the name exists. The temporary name, if any, is removed.
    /// </summary>
    void Publish(NewMapFile file, string path);

    /// <summary>Removes an unpublished file's temporary name, if it has one (the descriptor stays the caller's).</summary>
    void Discard(NewMapFile file);

    /// <summary>Removes the temporary files of creators that died before publishing; returns how many.</summary>
    int SweepAbandoned(string directory);

    /// <summary>Opens an existing file for reading and writing, never following a symlink; <see cref="MapNotFoundException"/> if missing.</summary>
    MapFileHandle OpenExisting(string path);

    /// <summary>What the kernel says about the open file.</summary>
    FileIdentity Stat(MapFileHandle file);

    /// <summary>What the kernel says about a path, without following a final symlink; null if it does not exist.</summary>
    FileIdentity? StatPath(string path);

    /// <summary>Sets the file's length (sparse where the file system allows).</summary>
    void SetLength(MapFileHandle file, long length);

    /// <summary>
    /// Allocates the file's bytes <c>[offset, offset + length)</c> so that touching them never faults for want of
    /// space; false when the file system is full (the caller names what needed the space).
    /// </summary>
    bool TryReserve(MapFileHandle file, long offset, long length);

    /// <summary>
    /// Maps the reserved bytes at <paramref name="address"/> into this process's page table now, in one call rather
    /// than a fault per page at first touch; a hint (nothing happens where the system cannot).
    /// </summary>
    void Populate(byte* address, long length);

    /// <summary>
    /// Gives the memory of the file's bytes <c>[offset, offset + length)</c> back to the file system (a hole; the
    /// length stays). Bytes read there afterwards are zero, and reading them allocates again. False where the file
    /// system cannot punch holes (the memory stays the file's).
    /// </summary>
    bool Release(MapFileHandle file, long offset, long length);

    /// <summary>
    /// Whether every byte of <c>[offset, offset + length)</c> is allocated (no hole); true where the file system
    /// cannot tell holes apart (it then reports none).
    /// </summary>
    bool IsAllocated(MapFileHandle file, long offset, long length);

    /// <summary>The bytes an unprivileged file may still take on the file system of <paramref name="path"/>.</summary>
    long AvailableBytes(string path);

    /// <summary>Maps <paramref name="length"/> bytes of the file shared, readable and writable.</summary>
    byte* Map(MapFileHandle file, long length);

    /// <summary>Undoes <see cref="Map"/>.</summary>
    void Unmap(byte* address, long length);

    /// <summary>
    /// Replaces the pages <c>[address, address + length)</c> of a mapping (whole pages) with private zero pages: reads
    /// there see zeros and never touch the file again, writes land in this process's own memory.
    /// </summary>
    void MapZeros(byte* address, long length);

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

    /// <summary>
    /// Sleeps while the 32-bit <paramref name="word"/> of a shared mapping holds <paramref name="expected"/>, until
    /// <see cref="WakeAll"/> on it (from any process), <paramref name="timeout"/>, or a signal; returns at once if it
    /// holds another value. The caller reads the word again after: a return says nothing of why.
    /// </summary>
    void Park(int* word, int expected, TimeSpan timeout);

    /// <summary>Wakes every thread of every process parked on <paramref name="word"/>.</summary>
    void WakeAll(int* word);

    /// <summary>The current user id, for the owner check on open.</summary>
    uint EffectiveUserId { get; }
}
