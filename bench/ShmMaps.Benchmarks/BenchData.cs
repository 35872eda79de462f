namespace ShmMaps.Benchmarks;

/// <summary>What every map benchmark sets up the same way: a private map directory, random keys, a random lookup order.</summary>
internal static class BenchData
{
    /// <summary>Options pointing at a directory of this benchmark process (on tmpfs where there is one).</summary>
    public static ShmOptions PrivateDirectory() => new()
    {
        Directory = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"shmmaps-bench-{Environment.ProcessId}"),
    };

    /// <summary>Removes the directory of <see cref="PrivateDirectory"/>.</summary>
    public static void Remove(ShmOptions options) => Directory.Delete(options.Directory!, recursive: true);

    /// <summary><paramref name="count"/> random 64-bit keys.</summary>
    public static long[] RandomKeys(int count, Random random)
    {
        long[] keys = new long[count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = random.NextInt64();
        }
        return keys;
    }

    /// <summary><paramref name="length"/> keys drawn at random from <paramref name="keys"/>: the order the operations visit them.</summary>
    public static T[] RandomOrder<T>(T[] keys, int length, Random random)
    {
        var order = new T[length];
        for (int i = 0; i < length; i++)
        {
            order[i] = keys[random.Next(keys.Length)];
        }
        return order;
    }
}
