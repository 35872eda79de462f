namespace ShmMaps.Core.Platform;

/// <summary>The platform this process runs on.</summary>
internal static class ShmPlatform
{
    private static readonly Lazy<IShmPlatform> s_current = new(Select);

    /// <summary>The current platform; <see cref="PlatformNotSupportedException"/> where ShmMaps has none.</summary>
    public static IShmPlatform Current => s_current.Value;

    private static IShmPlatform Select() =>
        OperatingSystem.IsLinux()
            ? new LinuxPlatform()
            : throw new PlatformNotSupportedException("ShmMaps supports Linux (x64, ARM64); Windows and macOS are not implemented yet");
}
