using System.Runtime.InteropServices;

namespace ShmMaps.Core.Platform;

/// <summary>An open map file's descriptor, closed exactly once.</summary>
internal sealed class MapFileHandle : SafeHandle
{
    /// <summary>Wraps an open descriptor.</summary>
    public MapFileHandle(int descriptor) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(descriptor));

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number.</summary>
    public int Descriptor => (int)handle.ToInt64();

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => LinuxNative.Close(Descriptor) == 0;
}
