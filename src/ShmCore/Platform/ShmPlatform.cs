namespace ShmMaps.Core.Platform;

/// <summary>The platform this process runs on.</summary>
internal static class ShmPlatform
{
    private static IShmPlatform? s_override;
    private static readonly Lazy<IShmPlatform> s_current = new(Select);

    /// <summary>The current platform; <see cref="PlatformNotSupportedException"/> where ShmMaps has none.</summary>
    public static IShmPlatform Current => s_override ?? s_current.Value;

    /// <summary>Makes <paramref name="platform"/> this process's platform (tests: a variant, such as temporary names only).</summary>
    internal static void Override(IShmPlatform platform) => s_override = platform;

    private static IShmPlatform Select() =>
        OperatingSystem.IsLinux()
            ? new LinuxPlatform()
            : throw new PlatformNotSupportedException("ShmMaps supports Linux (x64, ARM64); Windows and macOS are not implemented yet");
}
