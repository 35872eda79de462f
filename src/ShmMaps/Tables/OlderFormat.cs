namespace ShmMaps.Tables;

/// <summary>The refusal of a file made before files grew with their maps (format 1.1), for the kinds whose layout changed then.</summary>
internal static unsafe class OlderFormat
{
    /// <summary><see cref="LayoutMismatchException"/> if <paramref name="region"/> is a file of a format before 1.2.</summary>
    public static void Refuse(MapRegion region, string kind)
    {
        if (!region.FileGrows)
        {
            throw new LayoutMismatchException(
                $"map '{region.Name}' ({region.Path}) is a {kind} of format {region.Header->FormatMajor}.{region.Header->FormatMinor}, made by an older ShmMaps " +
                $"(its file reserves room for its largest table, often 100 GB and more), which this version does not read: dump it with the shm " +
                "of the version that made it (shm dump --format json) and load the entries into a new map (shm load, or the API)");
        }
    }
}
