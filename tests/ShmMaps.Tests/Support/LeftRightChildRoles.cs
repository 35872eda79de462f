using System.Globalization;

namespace ShmMaps.Tests.Support;

/// <summary>
/// What a child process of a LeftRightMap cross-process test does. Batch <c>b</c> sets every key 0 .. keys-1 to
/// <c>b</c>, and key <c>keys</c> to <c>b</c> when <c>b</c> is even and removes it when odd: a snapshot that mixes
/// values, or whose extra key disagrees with them, saw part of a batch.
/// </summary>
public static class LeftRightChildRoles
{
    public static int Run(string role, ShmOptions options, string name, string[] args)
    {
        long Arg(int i) => long.Parse(args[i], CultureInfo.InvariantCulture);
        switch (role)
        {
            case "leftright-publish":
                // Publishes batches 1 .. n of `keys` keys, then says done.
                using (var writer = LeftRightMap.OpenWriter<long, long>(name, options))
                {
                    Console.WriteLine("ready");
                    for (long batch = 1; batch <= Arg(1); batch++)
                    {
                        WriteBatch(writer, Arg(0), batch);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "leftright-publish-forever":
                // Publishes batches from (last value + 1) on until killed.
                using (var writer = LeftRightMap.OpenWriter<long, long>(name, options))
                {
                    long batch;
                    using (var guard = writer.Guard())
                    {
                        batch = (guard.Get(0) ?? 0) + 1;
                    }
                    Console.WriteLine("ready");
                    while (true)
                    {
                        WriteBatch(writer, Arg(0), batch++);
                    }
                }
            case "leftright-read":
                // Takes guards until it sees batch n; prints "ok <guards>" or the first violation.
                using (var reader = LeftRightMap.OpenReader<long, long>(name, options))
                {
                    Console.WriteLine("ready");
                    Console.WriteLine(ReadUntil(reader, Arg(0), Arg(1)));
                }
                return 0;
            case "leftright-hold-guard":
                // Takes a guard and keeps it until killed.
                using (var reader = LeftRightMap.OpenReader<long, long>(name, options))
                {
                    using ReadGuard<long, long> guard = reader.Guard();
                    Console.WriteLine("ready " + guard.Sequence.ToString(CultureInfo.InvariantCulture));
                    Thread.Sleep(Timeout.Infinite);
                }
                return 0;
            case "leftright-grow":
                // Publishes batches of `batch` new keys (value key * 10) from the published count on, until killed or
                // `keys` are there; SeqArray NAME-acked element 0 holds the keys published so far.
                using (var writer = LeftRightMap.OpenWriter<long, long>(name, options))
                using (var acked = SeqArray<long>.Open(name + "-acked", options))
                {
                    Console.WriteLine("ready");
                    for (long next = writer.PublishedCount; next < Arg(0); next += Arg(1))
                    {
                        using (var guard = writer.Guard())
                        {
                            for (long key = next; key < next + Arg(1); key++)
                            {
                                guard.Insert(key, key * 10);
                            }
                        }
                        acked[0] = next + Arg(1);
                    }
                }
                Console.WriteLine("done");
                return 0;
            case "leftright-grow-read":
                // Takes guards until it sees `keys` keys; each snapshot must hold keys 0 .. count-1 (value key * 10) and no more.
                using (var reader = LeftRightMap.OpenReader<long, long>(name, options))
                {
                    Console.WriteLine("ready");
                    Console.WriteLine(ReadGrowing(reader, Arg(0)));
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown role {role}");
                return 3;
        }
    }

    /// <summary>One batch: every key to <paramref name="batch"/>; the extra key present with it iff even.</summary>
    public static void WriteBatch(LeftRightWriter<long, long> writer, long keys, long batch)
    {
        using WriteGuard<long, long> guard = writer.Guard();
        foreach ((long key, long? value) in Batch(keys, batch))
        {
            if (value is { } set)
            {
                guard.Insert(key, set);
            }
            else
            {
                guard.Remove(key);
            }
        }
    }

    /// <summary>The changes of batch <paramref name="batch"/>: (key, value) to set, or (key, null) to remove.</summary>
    public static IEnumerable<(long Key, long? Value)> Batch(long keys, long batch)
    {
        for (long key = 0; key < keys; key++)
        {
            yield return (key, batch);
        }
        yield return (keys, batch % 2 == 0 ? batch : null);
    }

    /// <summary>Null if the snapshot shows one whole batch (or none yet), else what is wrong.</summary>
    public static string? CheckSnapshot(ReadGuard<long, long> guard, long keys, out long batch)
    {
        batch = guard.Get(0) ?? 0;
        if (batch == 0)
        {
            return guard.Count == 0 ? null : $"no batch yet but {guard.Count} entries";
        }
        for (long key = 1; key < keys; key++)
        {
            if (guard.Get(key) != batch)
            {
                return $"key 0 = {batch} but key {key} = {guard.Get(key)} (publish {guard.Sequence})";
            }
        }
        long? extra = guard.Get(keys);
        long expectedCount = keys + (batch % 2 == 0 ? 1 : 0);
        if ((batch % 2 == 0 ? extra != batch : extra is not null) || guard.Count != expectedCount)
        {
            return $"batch {batch}: extra key {extra?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, count {guard.Count} (publish {guard.Sequence})";
        }
        return null;
    }

    private static string ReadUntil(LeftRightReader<long, long> reader, long keys, long lastBatch)
    {
        long seen = 0;
        ulong sequence = 0;
        long guards = 0;
        while (seen < lastBatch)
        {
            using ReadGuard<long, long> guard = reader.Guard();
            guards++;
            if (CheckSnapshot(guard, keys, out long batch) is { } problem)
            {
                return "violation: " + problem;
            }
            if (batch < seen || guard.Sequence < sequence)
            {
                return $"violation: went back from batch {seen} (publish {sequence}) to {batch} (publish {guard.Sequence})";
            }
            seen = batch;
            sequence = guard.Sequence;
        }
        return "ok " + guards.ToString(CultureInfo.InvariantCulture);
    }

    private static string ReadGrowing(LeftRightReader<long, long> reader, long keys)
    {
        long guards = 0;
        long count = 0;
        while (count < keys)
        {
            using ReadGuard<long, long> guard = reader.Guard();
            guards++;
            count = guard.Count;
            for (long key = guards % 97; key < count; key += 97)
            {
                if (guard.Get(key) != key * 10)
                {
                    return $"violation: {count} entries but key {key} = {guard.Get(key)} (publish {guard.Sequence})";
                }
            }
            if (guard.Get(count) is { } extra)
            {
                return $"violation: {count} entries but key {count} = {extra} (publish {guard.Sequence})";
            }
        }
        return "ok " + guards.ToString(CultureInfo.InvariantCulture);
    }
}
