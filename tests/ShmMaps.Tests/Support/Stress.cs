namespace ShmMaps.Tests.Support;

/// <summary>Long loops run fully with SHMMAPS_STRESS=1 and in a short version by default.</summary>
public static class Stress
{
    public static bool Enabled => Environment.GetEnvironmentVariable("SHMMAPS_STRESS") == "1";

    /// <summary><paramref name="full"/> under stress, else <paramref name="quick"/>.</summary>
    public static int Pick(int quick, int full) => Enabled ? full : quick;
}
