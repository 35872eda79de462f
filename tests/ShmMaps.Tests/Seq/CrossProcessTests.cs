using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Seq;

/// <summary>Real child processes writing and reading the same map.</summary>
public sealed class CrossProcessTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EntriesWrittenByAChildAreReadHere()
    {
        using var map = SeqMap<long, long>.Create("written", 10_000, _dir.Options);
        using (var child = ChildProcess.Start("write-n", _dir.Path, "written", 5000))
        {
            child.WaitFor("done");
            Assert.Equal(0, child.WaitForExit());
        }
        Assert.Equal(5000, map.Count);
        for (long key = 0; key < 5000; key++)
        {
            Assert.Equal(key * 10, map[key]);
        }
    }

    [Fact]
    public void TwoProcessesAddingTheSameKeysMakeOneEntryEach()
    {
        const int keys = 20_000;
        using var map = SeqMap<long, long>.Create("same", keys, _dir.Options);
        using var first = ChildProcess.Start("add-range", _dir.Path, "same", 0, keys);
        using var second = ChildProcess.Start("add-range", _dir.Path, "same", 0, keys);
        first.WaitFor("ready");
        second.WaitFor("ready");
        long added = long.Parse(first.ReadLine()) + long.Parse(second.ReadLine());
        Assert.Equal(keys, added);
        Assert.Equal(keys, map.Count);
        Assert.Equal(keys, map.Select(e => e.Key).Distinct().Count());
        Assert.All(map, e => Assert.True(e.Value == first.Pid || e.Value == second.Pid));
        Assert.Empty(MapInspector.Check("same", _dir.Options).Problems);
    }
}
