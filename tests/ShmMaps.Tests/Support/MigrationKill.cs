using ShmMaps.Inspection;

namespace ShmMaps.Tests.Support;

/// <summary>How the growth tests kill a writer that grows a map: at a random instant, or the moment a migration is seen under way.</summary>
public static class MigrationKill
{
    /// <summary>
    /// Kills <paramref name="writer"/> (which said "ready" and grows map <paramref name="name"/>) after a random pause;
    /// in odd rounds, then waits up to two seconds for a migration to be under way and kills it at once. True if the
    /// kill landed while a migration was under way (as seen just before it).
    /// </summary>
    public static bool Kill(ChildProcess writer, string name, ShmOptions options, Random random, int round)
    {
        Thread.Sleep(random.Next(20, 400));
        bool migrating = IsMigrating(name, options);
        if (round % 2 == 1)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (!migrating && DateTime.UtcNow < deadline)
            {
                migrating = IsMigrating(name, options);
            }
        }
        writer.Kill();
        return migrating;
    }

    private static bool IsMigrating(string name, ShmOptions options) => MapInspector.Describe(name, options).Details["migration"] != "none";
}
