using ShmMaps.Blob;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>
/// BlobMaps written by processes killed at random instants, beside a reader process holding leases (killed too): no
/// acknowledged write lost, no torn value read or leased, every heap byte accounted for.
/// </summary>
public sealed class BlobCrossProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritersKilledAtRandomInstantsLeaveEveryKeyAtItsOldOrNewValueAndNoByteLost()
    {
        const long keysPerWriter = 1500;
        using var map = BlobMap.Create("killed", 16, _dir.Options);
        using var acked = SeqArray<long>.Create("killed-acked", 2 * keysPerWriter, _dir.Options);
        int rounds = Stress.Pick(8, 150);
        var random = new Random(11);
        for (int round = 0; round < rounds; round++)
        {
            using (var first = ChildProcess.Start("blob-write", _dir.Path, "killed", 0, keysPerWriter, (round * 2) + 1))
            using (var second = ChildProcess.Start("blob-write", _dir.Path, "killed", keysPerWriter, 2 * keysPerWriter, (round * 2) + 2))
            using (var reader = ChildProcess.Start("blob-lease-loop", _dir.Path, "killed", 0, 2 * keysPerWriter, round))
            {
                first.WaitFor("ready");
                second.WaitFor("ready");
                reader.WaitFor("ready");
                Thread.Sleep(random.Next(20, 300));
                first.Kill();
                second.Kill();
                reader.Kill();
            }
            // Every key is at its acknowledged version or at the one its killed writer was writing, whole.
            long present = 0;
            for (long key = 0; key < 2 * keysPerWriter; key++)
            {
                long version = Math.Abs(acked[key]);
                map.TryGetValue(BlobOps.Key(key), out byte[]? value);
                bool atAcked = BlobOps.Is(key, version, value);
                bool atNext = BlobOps.Is(key, version + 1, value);
                Assert.True(atAcked || atNext, $"round {round}: key {key} acknowledged at version {version} holds {(value is null ? "nothing" : $"{value.Length} bytes")}");
                if (atNext && !atAcked)
                {
                    acked[key] = BlobOps.IsRemove(version + 1) ? -(version + 1) : version + 1; // the killed write landed
                }
                present += value is null ? 0 : 1;
            }
            string errors = Path.Combine(_dir.Path, "errors.txt");
            Assert.False(File.Exists(errors), File.Exists(errors) ? File.ReadAllText(errors) : "");
            CheckReport recovered = MapInspector.Recover("killed", _dir.Options);
            Assert.True(recovered.IsSound, $"round {round}: {string.Join("; ", recovered.Problems)}");
            BlobCensus census = map.Census();
            Assert.Empty(census.Problems);
            Assert.True(census.HeldBlocks == 0, $"round {round}: {string.Join("; ", census.Held)}");
            Assert.Equal(0, census.Unaccounted);
            Assert.Equal(present, map.Count);
            Assert.Equal(present, census.Keys);
        }
    }
}
