using ShmMaps.Core.Platform;

namespace ShmMaps.Tests.Support;

/// <summary>
/// Linux as on a file system that cannot punch holes (NFS before 4.2, 9p, vfat): every give-back is refused. Set as
/// the platform of a child process only (<see cref="ShmPlatform.Override"/> is process-wide).
/// </summary>
internal sealed unsafe class NoHolesPlatform : IShmPlatform
{
    private readonly LinuxPlatform _linux = new();

    public int Refused { get; private set; }

    public string DefaultDirectory => _linux.DefaultDirectory;

    public ProcessIdentity CurrentProcess => _linux.CurrentProcess;

    public uint EffectiveUserId => _linux.EffectiveUserId;

    public bool Release(MapFileHandle file, long offset, long length)
    {
        Refused++;
        return false;
    }

    public void EnsureDirectory(string path, bool shared) => _linux.EnsureDirectory(path, shared);

    public void CheckDirectory(string path, bool shared) => _linux.CheckDirectory(path, shared);

    public NewMapFile CreateUnpublished(string directory, string name, UnixFileMode mode) => _linux.CreateUnpublished(directory, name, mode);

    public void Publish(NewMapFile file, string path) => _linux.Publish(file, path);

    public void Discard(NewMapFile file) => _linux.Discard(file);

    public int SweepAbandoned(string directory) => _linux.SweepAbandoned(directory);

    public MapFileHandle OpenExisting(string path) => _linux.OpenExisting(path);

    public FileIdentity Stat(MapFileHandle file) => _linux.Stat(file);

    public FileIdentity? StatPath(string path) => _linux.StatPath(path);

    public void SetLength(MapFileHandle file, long length) => _linux.SetLength(file, length);

    public bool TryReserve(MapFileHandle file, long offset, long length) => _linux.TryReserve(file, offset, length);

    public void Populate(byte* address, long length) => _linux.Populate(address, length);

    public bool IsAllocated(MapFileHandle file, long offset, long length) => _linux.IsAllocated(file, offset, length);

    public long AvailableBytes(string path) => _linux.AvailableBytes(path);

    public byte* Map(MapFileHandle file, long length) => _linux.Map(file, length);

    public void Unmap(byte* address, long length) => _linux.Unmap(address, length);

    public void MapZeros(byte* address, long length) => _linux.MapZeros(address, length);

    public bool TryLockByte(MapFileHandle file, long offset) => _linux.TryLockByte(file, offset);

    public void UnlockByte(MapFileHandle file, long offset) => _linux.UnlockByte(file, offset);

    public bool IsByteLockedByOther(MapFileHandle file, long offset) => _linux.IsByteLockedByOther(file, offset);

    public bool TryRegisterForSystemWideBarrier() => _linux.TryRegisterForSystemWideBarrier();

    public bool SystemWideBarrier() => _linux.SystemWideBarrier();

    public bool Delete(string path) => _linux.Delete(path);

    public void Park(int* word, int expected, TimeSpan timeout) => _linux.Park(word, expected, timeout);

    public void WakeAll(int* word) => _linux.WakeAll(word);
}
