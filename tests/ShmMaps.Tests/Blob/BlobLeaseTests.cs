using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>Zero-copy reads: a leased value is not reused under its reader, and a dead reader's lease pins nothing.</summary>
public sealed class BlobLeaseTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ALeasedValueStaysWhileWritersReplaceItAndItsBlockIsReusedAfter()
    {
        using var map = BlobMap.Create("leased", 100, _dir.Options);
        using var writer = BlobMap.Open("leased", _dir.Options);
        map.Set("doc", Enumerable.Repeat((byte)7, 1000).ToArray());
        using (BlobLease lease = map.Read("doc"))
        {
            Assert.True(lease.Found);
            // Every overwrite frees the block it replaces; without the lease the next write of this size would reuse it.
            for (int i = 0; i < 500; i++)
            {
                writer.Set("doc", Enumerable.Repeat((byte)(i % 7), 1000).ToArray());
            }
            Assert.Equal(1000, lease.Span.Length);
            Assert.All(lease.Span.ToArray(), b => Assert.Equal(7, b));
            Assert.Equal(1, map.Layout.Leases.Count());
        }
        Assert.Equal(0, map.Layout.Leases.Count());
        long frontier = map.Layout.Frontier;
        for (int i = 0; i < 500; i++)
        {
            writer.Set("doc", new byte[1000]);
        }
        Assert.Equal(frontier, map.Layout.Frontier);
        Assert.False(map.TryRead("missing", out BlobLease none));
        Assert.False(none.Found);
        Assert.True(none.Span.IsEmpty);
        none.Dispose();
        Assert.Throws<KeyNotFoundException>(() => map.Read("missing").Dispose());
    }

    [Fact]
    public void AThreadHoldsAtMostEightLeases()
    {
        using var map = BlobMap.Create("eight", 100, _dir.Options);
        map.Set("k", "v"u8);
        BlobLease l1 = map.Read("k"), l2 = map.Read("k"), l3 = map.Read("k"), l4 = map.Read("k");
        BlobLease l5 = map.Read("k"), l6 = map.Read("k"), l7 = map.Read("k"), l8 = map.Read("k");
        ShmMapException e = Assert.Throws<ShmMapException>(() => map.Read("k").Dispose());
        Assert.Contains("8 leases", e.Message);
        l8.Dispose();
        using (BlobLease again = map.Read("k"))
        {
            Assert.Equal("v"u8.ToArray(), again.Span.ToArray());
        }
        int lane = map.Region.Lanes.CurrentIfClaimed!.Index;
        Assert.True(map.Layout.Leases.IsMarked(lane));
        l1.Dispose(); l2.Dispose(); l3.Dispose(); l4.Dispose(); l5.Dispose(); l6.Dispose(); l7.Dispose();
        l1.Dispose(); // a second dispose of a copy ends nothing else
        Assert.Equal(0, map.Layout.Leases.Count());
        Assert.False(map.Layout.Leases.IsMarked(lane)); // its last lease ended: writes pass the lane by
    }

    [Fact]
    public void AReaderKilledHoldingALeasePinsNothing()
    {
        using var map = BlobMap.Create("dead-reader", 100, _dir.Options);
        map.Set("doc", new byte[2000]);
        using (var reader = ChildProcess.Start("blob-lease", _dir.Path, "dead-reader", "doc"))
        {
            reader.WaitFor("leased");
            Assert.Equal(1, map.Layout.Leases.Count());
            reader.Kill();
        }
        Assert.Equal(0, map.Layout.Leases.Count());
        map.Set("doc", new byte[2000]); // frees the block the dead reader leased
        long frontier = map.Layout.Frontier;
        for (int i = 0; i < 100; i++)
        {
            map.Set("doc", new byte[2000]);
        }
        Assert.Equal(frontier, map.Layout.Frontier);
    }
}
