using ShmMaps.Core.Files;

namespace ShmMaps.Core.Region;

internal sealed unsafe partial class MapRegion
{
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

    /// <summary>
    /// Opens map <paramref name="name"/>, creating it from <paramref name="spec"/> if it does not exist. Of processes
    /// racing to create it, one creates it and the others open that map.
    /// </summary>
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

    /// <summary>
    /// Opens any map file without expectations about its kind or types (for inspection): checks the directory, that
    /// the file is a regular file of this user whose mode lets no one else write more than <paramref name="options"/>
    /// would, its header, and that its fixed regions are allocated (so that no access can fault on a full file system).
    /// </summary>
    public static MapRegion OpenPath(string name, string path, ShmOptions? options)
    {
        options ??= ShmOptions.Default;
        IShmPlatform platform = ShmPlatform.Current;
        platform.CheckDirectory(System.IO.Path.GetDirectoryName(path)!, shared: !options.RequireSameOwner);
        MapFileHandle file = platform.OpenExisting(path);
        MapRegion region;
        try
        {
            FileIdentity identity = platform.Stat(file);
            CheckFile(identity, path, options, platform.EffectiveUserId);
            ushort minor = CheckReady(platform, file, identity.Length, path);
            // A file of format 1.2 on grows into its mapping; an older one is as long as it will ever be.
            var space = new MapAddressSpace(platform, file, path, identity.Length, grows: minor >= MapHeader.GrowingFileMinor);
            try
            {
                HeaderValidator.Validate((MapHeader*)space.Pointer(0, MapHeader.Size), identity.Length, path);
                region = new MapRegion(name, path, options, platform, file, space);
            }
            catch
            {
                space.Dispose();
                throw;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
        // The region owns the mapping and the descriptor from here: a refusal disposes it, and with it both.
        return region.Adopt(static opened =>
        {
            opened.EnsureFixedRegionsReserved();
            return opened;
        });
    }

    /// <summary>Deletes map <paramref name="name"/>'s file; false if there was none. Processes that have it open keep their mapping.</summary>
    public static bool Delete(string name, ShmOptions? options) => ShmPlatform.Current.Delete(MapFiles.PathFor(name, options));

    private static void CheckFile(FileIdentity identity, string path, ShmOptions options, uint user)
    {
        if (!identity.IsRegularFile)
        {
            throw new CorruptMapException($"'{path}' is not a regular file");
        }
        if (options.RequireSameOwner && identity.OwnerUid != user)
        {
            throw new UnauthorizedAccessException(
                $"map file '{path}' belongs to uid {identity.OwnerUid}, not to this user (uid {user}); " +
                "set ShmOptions.RequireSameOwner = false to share maps between users");
        }
        const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        UnixFileMode beyond = identity.Permissions & othersWrite & ~options.FileMode;
        if (options.RequireSameOwner && beyond != 0)
        {
            throw new UnauthorizedAccessException(
                $"map file '{path}' has mode {Convert.ToString((int)identity.Permissions, 8)}: {beyond} may write it, which ShmOptions.FileMode " +
                $"({Convert.ToString((int)options.FileMode, 8)}) does not allow; open it with the FileMode it was shared with");
        }
    }

    /// <summary>
    /// Refuses a file whose ready flag is not set: a published file always has it, so one without it was left
    /// unfinished by a creator of an older format, or damaged. Returns the format minor (checked with the rest later).
    /// </summary>
    private static ushort CheckReady(IShmPlatform platform, MapFileHandle file, long length, string path)
    {
        if (length < MapHeader.Size)
        {
            throw new CorruptMapException($"map file '{path}' is {length} bytes, shorter than a header ({MapHeader.Size}): it was truncated or never finished");
        }
        if (!platform.IsAllocated(file, 0, MapHeader.Size) && !platform.TryReserve(file, 0, MapHeader.Size))
        {
            throw new MapFullException($"map file '{path}': its header is not allocated and the file system has no room to read it");
        }
        byte* page = platform.Map(file, MapHeader.Size);
        uint ready = SharedMemory.ReadAcquire(&((MapHeader*)page)->Ready);
        ushort minor = ((MapHeader*)page)->FormatMinor;
        platform.Unmap(page, MapHeader.Size);
        if (ready != MapHeader.ReadyValue)
        {
            throw new CorruptMapException(
                $"map file '{path}': header field 'ready' holds 0x{ready:X8}: the map was never finished, or was damaged; delete it (shm delete) and create it again");
        }
        return minor;
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
        if (Lanes.UndoCapacity < expected.UndoCapacity)
        {
            string problem = $"header field 'lane size': {Header->LaneSize} bytes leave {Lanes.UndoCapacity} for an undo image; this kind needs {expected.UndoCapacity}";
            if (Header->FormatMinor < MapHeader.CurrentFormatMinor)
            {
                throw new LayoutMismatchException(
                    $"map file '{Path}' was made by an older ShmMaps (format {Header->FormatMajor}.{Header->FormatMinor}): {problem}; delete it and create it again");
            }
            ThrowHelper.ThrowCorrupt($"map file '{Path}': {problem}");
        }
    }

    private void Mismatch(string field, string found, string wanted) =>
        throw new LayoutMismatchException($"map '{Name}' ({Path}): header field '{field}' is {found}, but {wanted} was asked for");
}
