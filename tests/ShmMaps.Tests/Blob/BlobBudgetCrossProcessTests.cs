using ShmMaps.Blob;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>
/// A BlobMap held to a budget by four writer processes and a reader: the budget holds across them, and writers killed at
/// random instants (most of them mid-eviction: every write evicts) lose nothing but what eviction drops, with the live
/// bytes exact after recovery.
/// </summary>
public sealed class BlobBudgetCrossProcessTests : IDisposable
{
    private const long KeysPerWriter = 1000;
    private const int Writers = 4;
    private const long Budget = 2 << 20; // about a tenth of what the keys would take

    /// <summary>The largest block a value of BlobOps takes: a killed writer may leave one such over the budget.</summary>
    private static readonly long LargestBlock = SizeClasses.Size(SizeClasses.Of(BlobBlock.BytesFor(16, 20_000)));

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritersKilledMidEvictionLoseOnlyWhatEvictionDropsAndTheLiveBytesStayExact()
    {
        using var map = BlobMap.Create("budgeted", 16, _dir.Options);
        map.MaxBytes = Budget;
        using var acked = SeqArray<long>.Create("budgeted-acked", Writers * KeysPerWriter, _dir.Options);
        int rounds = Stress.Pick(6, 100);
        var random = new Random(29);
        for (int round = 0; round < rounds; round++)
        {
            var children = new List<ChildProcess>();
            try
            {
                for (int w = 0; w < Writers; w++)
                {
                    children.Add(ChildProcess.Start("blob-write", _dir.Path, "budgeted", w * KeysPerWriter, (w + 1) * KeysPerWriter, (round * Writers) + w + 1));
                }
                children.Add(ChildProcess.Start("blob-lease-loop", _dir.Path, "budgeted", 0, Writers * KeysPerWriter, round));
                children.ForEach(child => child.WaitFor("ready"));
                Thread.Sleep(random.Next(20, 300));
                children.ForEach(child => child.Kill());
            }
            finally
            {
                children.ForEach(child => child.Dispose());
            }
            long before = map.Evictions;
            CheckReport recovered = MapInspector.Recover("budgeted", _dir.Options);
            Assert.True(recovered.IsSound, $"round {round}: {string.Join("; ", recovered.Problems)}");
            // Each key holds its acknowledged version, or the one its killed writer was writing, or nothing (evicted).
            for (long key = 0; key < Writers * KeysPerWriter; key++)
            {
                long version = Math.Abs(acked[key]);
                map.TryGetValue(BlobOps.Key(key), out byte[]? value);
                bool atAcked = BlobOps.Is(key, version, value);
                bool atNext = BlobOps.Is(key, version + 1, value);
                Assert.True(value is null || atAcked || atNext, $"round {round}: key {key} acknowledged at version {version} holds {value?.Length} bytes of another version");
                if (atNext && !atAcked)
                {
                    acked[key] = version + 1; // the killed write landed
                }
            }
            string errors = Path.Combine(_dir.Path, "errors.txt");
            Assert.False(File.Exists(errors), File.Exists(errors) ? File.ReadAllText(errors) : "");
            BlobCensus census = map.Census();
            Assert.Empty(census.Problems);
            Assert.Equal(0, census.Unaccounted);
            Assert.Equal(census.LiveBlockBytes, map.LiveBytes);
            Assert.True(map.LiveBytes <= Budget + (Writers * LargestBlock), $"round {round}: {map.LiveBytes:N0} live bytes, budget {Budget:N0}");
            Assert.True(round == 0 || map.Evictions > before || before > 0, "no write evicted");
        }
        Assert.True(map.Evictions > 0);

        // Writers that finish (no kill) leave the map within its budget.
        var finishing = Enumerable.Range(0, Writers)
            .Select(w => ChildProcess.Start("blob-write", _dir.Path, "budgeted", w * KeysPerWriter, (w + 1) * KeysPerWriter, 1000 + w, 3_000))
            .ToList();
        try
        {
            finishing.ForEach(child => child.WaitFor("done"));
            finishing.ForEach(child => Assert.Equal(0, child.WaitForExit()));
        }
        finally
        {
            finishing.ForEach(child => child.Dispose());
        }
        Assert.True(map.LiveBytes <= Budget, $"{map.LiveBytes:N0} live bytes at rest, budget {Budget:N0}");
        Assert.Equal(map.Census().LiveBlockBytes, map.LiveBytes);
        Assert.True(MapInspector.Check("budgeted", _dir.Options).IsSound);
    }
}
