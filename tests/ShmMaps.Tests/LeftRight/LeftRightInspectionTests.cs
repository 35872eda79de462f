using ShmMaps.Core.Epochs;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.LeftRight;

public sealed unsafe class LeftRightInspectionTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InfoDumpCheckAndRecoverUnderstandTheKind()
    {
        using var writer = LeftRightMap.CreateWriter<long, long>("inspect", 100, _dir.Options);
        LeftRightChildRoles.WriteBatch(writer, 10, 2); // keys 0..10 = 2
        using (var guard = writer.Guard())
        {
            guard.Insert(500, 5); // unpublished: not in info, dump or check
        }
        using (var guard = writer.Guard())
        {
            guard.Remove(500);
        }

        using var child = ChildProcess.Start("leftright-hold-guard", _dir.Path, "inspect");
        Assert.StartsWith("ready", child.ReadLine());
        MapDescription info = MapInspector.Describe("inspect", _dir.Options);
        Assert.Equal("LeftRightMap", info.Kind);
        Assert.Equal(11, info.Count);
        Assert.StartsWith("3, the last", info.Details["publishes"]);
        Assert.Contains($"pid {Environment.ProcessId} (alive)", info.Details["writer"]);
        Assert.StartsWith("1 of 128 held by live threads, 1 in a guard", info.Details["reader slots"]);
        Assert.Contains($"pid {child.Pid}", info.Details["oldest guard"]);
        string slot = Assert.Single(info.Details, d => d.Key.StartsWith("reader slot ", StringComparison.Ordinal)).Value;
        Assert.Matches($"pid {child.Pid} \\(alive\\), on copy [01] \\(publish 3\\), guard taken after the last publish", slot);

        Assert.Equal(Enumerable.Range(0, 11).Select(k => (k.ToString(), "2")), MapInspector.Dump("inspect", _dir.Options).Select(e => (e.Key!, e.Value)).OrderBy(e => long.Parse(e.Item1)));
        CheckReport sound = MapInspector.Check("inspect", _dir.Options);
        Assert.True(sound.IsSound, string.Join("; ", sound.Problems));
        Assert.Empty(sound.Notes);

        child.Kill();
        CheckReport dead = MapInspector.Check("inspect", _dir.Options);
        Assert.True(dead.IsSound);
        Assert.Contains(dead.Notes, n => n.Contains($"pid {child.Pid} died on copy"));
        Assert.Contains("(dead)", Assert.Single(MapInspector.Describe("inspect", _dir.Options).Details, d => d.Key.StartsWith("reader slot ", StringComparison.Ordinal)).Value);
        Assert.Equal(1, MapInspector.Recover("inspect", _dir.Options).Recovered);
        Assert.Empty(MapInspector.Check("inspect", _dir.Options).Notes);
        Assert.Equal("none", MapInspector.Describe("inspect", _dir.Options).Details["oldest guard"]);

        writer.Dispose();
        Assert.Contains("(gone)", MapInspector.Describe("inspect", _dir.Options).Details["writer"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void CheckLeavesADeadReadersPinForRecoverWhicheverSlotItIs(int deadSlot)
    {
        var options = new ShmOptions { Directory = _dir.Path, ReaderSlots = 2 };
        using var writer = LeftRightMap.CreateWriter<long, long>("pinned", 100, options);
        LeftRightChildRoles.WriteBatch(writer, 10, 2);
        using (var reader = LeftRightMap.OpenReader<long, long>("pinned", options))
        {
            // A reader that died inside a guard: its slot pinned, its kernel lock gone.
            ReaderSlot* slot = reader.Slots.Slot(deadSlot);
            slot->Generation = 1;
            slot->Pid = 999_999;
            slot->Pin = ReaderPin.Make(5, ReaderPin.OnCopy(1));
        }
        CheckReport report = MapInspector.Check("pinned", options);
        Assert.Contains(report.Notes, n => n.Contains($"reader slot {deadSlot}: pid 999999 died on copy 1"));
        Assert.Equal(1, MapInspector.Recover("pinned", options).Recovered); // check left the pin as it was
        Assert.Empty(MapInspector.Check("pinned", options).Notes);
    }
}
