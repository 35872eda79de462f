using System.Diagnostics;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>A BlobMap's change log: watchers in any process see every key set, removed or evicted, and learn what they missed.</summary>
public sealed class BlobChangeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AWatcherSeesEverySetRemoveAndEvictionInOrder()
    {
        using var map = BlobMap.Create("watched", 100, _dir.Options);
        using var writer = BlobMap.Open("watched", _dir.Options);
        using var timeout = new CancellationTokenSource(Patience);
        await using IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool> first = changes.MoveNextAsync().AsTask(); // the watch starts here: what is written after it is seen
        writer.Set("a", "1"u8);
        writer.Set("a", "2"u8);
        writer.TryRemove("a");
        writer.Set("b", new byte[1000]);
        writer.MaxBytes = 512; // evicts b at once
        string longKey = new('k', BlobMap.MaxLoggedKeyLength + 1);
        writer.MaxBytes = 0;
        writer.Set(longKey, "x"u8);
        Assert.True(await first);
        var seen = new List<BlobChange> { changes.Current };
        while (seen.Count < 6 && await changes.MoveNextAsync())
        {
            seen.Add(changes.Current);
        }
        int me = Environment.ProcessId;
        Assert.Equal(
            [
                new BlobChange(BlobChangeKind.Set, "a", me, 0), new BlobChange(BlobChangeKind.Set, "a", me, 0),
                new BlobChange(BlobChangeKind.Removed, "a", me, 0), new BlobChange(BlobChangeKind.Set, "b", me, 0),
                new BlobChange(BlobChangeKind.Evicted, "b", me, 0), new BlobChange(BlobChangeKind.Set, null, me, 0),
            ],
            seen);
        Assert.Equal(0, map.Census().Unaccounted); // the log's bytes are the heap's, counted
    }

    [Fact]
    public async Task ChangesOfAnotherProcessArriveWithoutPolling()
    {
        using var map = BlobMap.Create("crossing", 100, _dir.Options);
        using var acked = SeqArray<long>.Create("crossing-acked", 20, _dir.Options);
        using var timeout = new CancellationTokenSource(Patience);
        await using IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool> next = changes.MoveNextAsync().AsTask();
        using var child = ChildProcess.Start("blob-write", _dir.Path, "crossing", 0, 20, 5, 200);
        child.WaitFor("done");
        var kinds = new Dictionary<BlobChangeKind, int>();
        for (int n = 0; n < 200; n++)
        {
            Assert.True(n == 0 ? await next : await changes.MoveNextAsync());
            BlobChange change = changes.Current;
            Assert.Equal(child.Pid, change.ProcessId);
            Assert.Matches("^key-([0-9]|1[0-9])$", change.Key);
            kinds[change.Kind] = kinds.GetValueOrDefault(change.Kind) + 1;
        }
        Assert.Equal(0, child.WaitForExit());
        Assert.True(kinds[BlobChangeKind.Set] > 100, string.Join(", ", kinds));
        Assert.False(kinds.ContainsKey(BlobChangeKind.Missed));
    }

    [Fact]
    public async Task AWatcherThatFallsBehindTheLogIsToldHowManyChangesItMissed()
    {
        using var map = BlobMap.Create("overrun", 100, _dir.Options);
        using var timeout = new CancellationTokenSource(Patience);
        await using IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool> first = changes.MoveNextAsync().AsTask();
        // Far more changes than the log and the watcher's queue hold, while the watcher's consumer reads none.
        for (int i = 0; i < 20_000; i++)
        {
            map.Set($"k{i % 100}", "v"u8);
        }
        map.Set("last", "v"u8);
        Assert.True(await first);
        long logged = 0, missed = 0;
        do
        {
            BlobChange change = changes.Current;
            Assert.True(change.Kind is BlobChangeKind.Set or BlobChangeKind.Missed, change.ToString());
            logged += change.Kind == BlobChangeKind.Set ? 1 : 0;
            missed += change.Missed;
        }
        while (changes.Current.Key != "last" && await changes.MoveNextAsync());
        Assert.Equal("last", changes.Current.Key);
        Assert.True(missed > 0, "no change reported missed");
        Assert.Equal(20_001, logged + missed); // every change either seen or counted as missed
    }

    [Fact]
    public async Task ClosingTheMapOrCancellingEndsTheWatch()
    {
        var map = BlobMap.Create("closing", 100, _dir.Options);
        using (var cancel = new CancellationTokenSource())
        {
            IAsyncEnumerator<BlobChange> cancelled = map.WatchChangesAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
            Task<bool> waiting = cancelled.MoveNextAsync().AsTask();
                cancel.CancelAfter(50);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            await cancelled.DisposeAsync();
        }
        IAsyncEnumerator<BlobChange> closed = map.WatchChangesAsync().GetAsyncEnumerator();
        Task<bool> parked = closed.MoveNextAsync().AsTask();
        await Task.Delay(50);
        var stopwatch = Stopwatch.StartNew();
        map.Dispose(); // waits for the watcher's thread to leave the map
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {stopwatch.Elapsed}");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => parked);
        await closed.DisposeAsync();
    }

}
