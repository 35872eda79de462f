using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Rw;

/// <summary>shm info / dump / check / recover on an RwStore, live and after a holder's death.</summary>
public sealed class RwStoreInspectionTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InfoDumpAndCheckDescribeElementsFreeSlotsAndLocks()
    {
        using var store = RwStore<long>.Create("inspect", _dir.Options);
        ShmId[] ids = Enumerable.Range(0, 5).Select(i => store.Insert(i * 10L)).ToArray();
        Assert.True(store.TryRemove(ids[2], out _));
        Assert.True(store.TryRead(ids[1], out ReadLock<long> reader));

        MapDescription description = MapInspector.Describe("inspect", _dir.Options);
        Assert.Equal("RwStore", description.Kind);
        Assert.Equal(4, description.Count);
        Assert.Contains("4 live", description.Details["elements"]);
        Assert.Contains("1 listed for reuse", description.Details["free slots"]);
        Assert.Contains("1 read locks", description.Details["locks held"]);
        Assert.Contains($"slot {ids[1].Slot}", description.Details["holders"]);
        Assert.Contains(Environment.ProcessId.ToString(), description.Details["holders"]);

        var entries = MapInspector.Dump("inspect", _dir.Options).ToList();
        Assert.Equal([ids[0].ToString(), ids[1].ToString(), ids[3].ToString(), ids[4].ToString()], entries.Select(e => e.Key));
        Assert.Equal(["0", "10", "30", "40"], entries.Select(e => e.Value));

        CheckReport report = MapInspector.Check("inspect", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        Assert.Equal(5, report.Examined);
        reader.Dispose();
    }

    [Fact]
    public void CheckReportsAHalfDoneWriteOfADeadProcessAndRecoverRestoresIt()
    {
        using (var store = RwStore<Whole4>.Create("dead", _dir.Options))
        {
            ShmId id = store.Insert(Whole4.Of(5));
            ShmId other = store.Insert(Whole4.Of(6));
            using (var child = ChildProcess.Start("rw-half-write", _dir.Path, "dead", id, 9))
            {
                Assert.Equal("half", child.ReadLine());
                child.Kill();
            }
            using (var reader = ChildProcess.Start("rw-hold-read", _dir.Path, "dead", other))
            {
                Assert.Equal("held 1", reader.ReadLine());
                reader.Kill();
            }
        }
        CheckReport report = MapInspector.Check("dead", _dir.Options);
        Assert.False(report.IsSound);
        Assert.Contains(report.Problems, p => p.Contains("half-done write"));
        Assert.Contains(report.Notes, n => n.Contains("ReadHeld left by dead process"));

        CheckReport recovered = MapInspector.Recover("dead", _dir.Options);
        Assert.True(recovered.IsSound, string.Join("; ", recovered.Problems));
        Assert.Equal(2, recovered.Recovered);
        Assert.Empty(recovered.Notes);

        using var reopened = RwStore<Whole4>.Open("dead", _dir.Options);
        var first = new ShmId(reopened.StoreId, (1UL << 32) | 0);
        Assert.True(reopened.TryWrite(first, TimeSpan.Zero, out WriteLock<Whole4> writer));
        Assert.Equal(Whole4.Of(5), writer.Value);
        writer.Dispose();
        Assert.True(reopened.TryWrite(new ShmId(reopened.StoreId, (1UL << 32) | 1), TimeSpan.Zero, out writer));
        writer.Dispose();
    }
}
