namespace ShmMaps.Tool.Commands;

/// <summary>What <c>shm</c>'s exit code means.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int CheckFailed = 1;
    public const int NotFound = 2;
    public const int Corrupt = 3;
    public const int Error = 4;
    public const int KeyNotFound = 5;
    public const int Usage = 64;
}
