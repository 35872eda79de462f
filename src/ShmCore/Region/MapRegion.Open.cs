using System.Diagnostics;
using ShmMaps.Core.Files;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Platform;
using ShmMaps.Core.Registry;

namespace ShmMaps.Core.Region;

internal sealed unsafe partial class MapRegion
{
    private static readonly TimeSpan s_abandonedAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Opens map <paramref name="name"/> and checks that it is of the kind, key and value <paramref name="expected"/>
    /// describes (<see cref="LayoutMismatchException"/> names the field that differs).
    /// </summary>
    public static MapRegion Open(string name, RegionSpec expected, ShmOptions? options)
    {
        MapRegion region = OpenPath(name, MapFiles.PathFor(name, options), options);
        try
        {
            region.CheckLayout(expected);
            return region;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Opens map <paramref name="name"/>, creating it from <paramref name="spec"/> if it does not exist.</summary>
    public static MapRegion OpenOrCreate(string name, RegionSpec spec, ShmOptions? options)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return Create(name, spec, options);
            }
            catch (MapExistsException)
            {
            }
            try
            {
                return Open(name, spec, options);
            }
            catch (MapNotFoundException) when (attempt < 10)
            {
                // Deleted between our create and open attempts: try again.
            }
        }
    }

    /// <summary>Opens any map file without expectations about its kind or types (for inspection).</summary>
    public static MapRegion OpenPath(string name, string path, ShmOptions? options)
    {
        options ??= ShmOptions.Default;
        IShmPlatform platform = ShmPlatform.Current;
        MapFileHandle file = platform.OpenExisting(path);
        try
        {
            FileIdentity identity = platform.Stat(file);
            if (!identity.IsRegularFile)
            {
                throw new CorruptMapException($"'{path}' is not a regular file");
            }
            if (options.RequireSameOwner && identity.OwnerUid != platform.EffectiveUserId)
            {
                throw new UnauthorizedAccessException(
                    $"map file '{path}' belongs to uid {identity.OwnerUid}, not to this user (uid {platform.EffectiveUserId}); " +
                    "set ShmOptions.RequireSameOwner = false to share maps between users");
            }
            long length = WaitReady(platform, file, path, options.LockTimeout);
            byte* address = platform.Map(file, length);
            try
            {
                HeaderValidator.Validate((MapHeader*)address, length, path);
                return new MapRegion(name, path, options, platform, file, address, length);
            }
            catch
            {
                platform.Unmap(address, length);
                throw;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Deletes map <paramref name="name"/>'s file; false if there was none. Processes that have it open keep their mapping.</summary>
    public static bool Delete(string name, ShmOptions? options) => ShmPlatform.Current.Delete(MapFiles.PathFor(name, options));

    /// <summary>Waits until the creator has set the ready flag; returns the file length.</summary>
    private static long WaitReady(IShmPlatform platform, MapFileHandle file, string path, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        long? creatorGoneSince = null;
        while (true)
        {
            FileIdentity identity = platform.Stat(file);
            if (identity.Length >= MapHeader.Size)
            {
                byte* page = platform.Map(file, MapHeader.Size);
                uint ready = SharedMemory.ReadAcquire(&((MapHeader*)page)->Ready);
                platform.Unmap(page, MapHeader.Size);
                if (ready == MapHeader.ReadyValue)
                {
                    return identity.Length;
                }
                if (ready != 0)
                {
                    throw new CorruptMapException($"map file '{path}': header field 'ready' holds 0x{ready:X8}");
                }
            }
            else if (identity.Length != 0)
            {
                throw new CorruptMapException($"map file '{path}' is {identity.Length} bytes, shorter than a header ({MapHeader.Size}): it was truncated");
            }

            long now = Stopwatch.GetTimestamp();
            if (platform.IsByteLockedByOther(file, LaneTable.CreationLockOffset))
            {
                creatorGoneSince = null;
            }
            else if (creatorGoneSince is null)
            {
                creatorGoneSince = now;
            }
            else if (Stopwatch.GetElapsedTime(creatorGoneSince.Value, now) >= s_abandonedAfter)
            {
                throw new CorruptMapException(
                    $"map file '{path}' was never finished: its creator is gone and the ready flag is not set; delete it (shm delete) and create it again");
            }
            if (Stopwatch.GetElapsedTime(start, now) >= timeout)
            {
                throw new TimeoutException($"map file '{path}' is still being created after {timeout.TotalSeconds:F1} s");
            }
            Thread.Sleep(1);
        }
    }

    private void CheckLayout(RegionSpec expected)
    {
        if (Kind != expected.Kind)
        {
            Mismatch("kind", Kind.ToString(), expected.Kind.ToString());
        }
        string keyType = MapHeader.ReadTypeName(Header->KeyTypeName, "key type");
        string valueType = MapHeader.ReadTypeName(Header->ValueTypeName, "value type");
        if (Header->KeySize != expected.KeySize || keyType != expected.KeyTypeName)
        {
            Mismatch("key type", $"{keyType} ({Header->KeySize} bytes)", $"{expected.KeyTypeName} ({expected.KeySize} bytes)");
        }
        if (Header->ValueSize != expected.ValueSize || valueType != expected.ValueTypeName)
        {
            Mismatch("value type", $"{valueType} ({Header->ValueSize} bytes)", $"{expected.ValueTypeName} ({expected.ValueSize} bytes)");
        }
    }

    private void Mismatch(string field, string found, string wanted) =>
        throw new LayoutMismatchException($"map '{Name}' ({Path}): header field '{field}' is {found}, but {wanted} was asked for");
}
