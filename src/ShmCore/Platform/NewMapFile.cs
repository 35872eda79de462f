namespace ShmMaps.Core.Platform;

/// <summary>
/// A map file being built, which no map name names yet: unnamed (Linux <c>O_TMPFILE</c>), or under a temporary
/// name of <see cref="TemporaryNames"/> where the file system has no unnamed files.
/// </summary>
/// <param name="Handle">The new file's descriptor.</param>
/// <param name="TemporaryPath">The temporary name, or null for an unnamed file.</param>
internal sealed record NewMapFile(MapFileHandle Handle, string? TemporaryPath);
