namespace ShmMaps.Tests.Fuzz;

internal sealed class BlobFuzz : FuzzKind
{
    public override string Name => "BlobMap";

    public override string SomeKey => Key(1);

    private static string Key(int i) => i % 3 == 0 ? $"a-longer-key-of-a-document-{i}" : $"key-{i}";

    private static byte[] Value(int i) => new byte[(i % 3) * 40];

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var map = BlobMap.Create(name, 64, options);
        for (int i = 0; i < 40; i++)
        {
            map.Set(Key(i), Value(i));
        }
        for (int i = 0; i < 40; i += 4)
        {
            map.Set(Key(i), Value(i + 1)); // blocks on the free lists
        }
        map.TryRemove(Key(5));
        // A change log (made by a watch) and a budget the exercise's growth goes past: damage reaches both.
        using (var stop = new CancellationTokenSource())
        {
            IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            ValueTask<bool> first = changes.MoveNextAsync();
            map.Set(Key(7), Value(8));
            first.AsTask().GetAwaiter().GetResult();
            changes.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        map.MaxBytes = 24 << 10;
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        BlobMap? map = null;
        step("open", () => map = BlobMap.Open(name, options));
        if (map is null)
        {
            return;
        }
        using (map)
        {
            step("count", () => _ = map.Count);
            step("get", () =>
            {
                var writer = new System.Buffers.ArrayBufferWriter<byte>();
                for (int i = 0; i < 48; i++)
                {
                    map.TryGetValue(Key(i), out _);
                    map.TryGetValue(System.Text.Encoding.UTF8.GetBytes(Key(i)), writer);
                }
            });
            step("set", () =>
            {
                map.Set(Key(3), Value(4));
                map.Set(Key(300), new byte[5000]);
                map.Set(Key(301), []);
            });
            step("remove", () =>
            {
                map.TryRemove(Key(2));
                map.TryRemove(Key(999));
            });
            step("budget", () => _ = (map.MaxBytes, map.LiveBytes, map.Evictions));
            step("watch", () =>
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                IAsyncEnumerator<BlobChange> changes = map.WatchChangesAsync(stop.Token).GetAsyncEnumerator(stop.Token);
                Task<bool>? next = null;
                try
                {
                    next = changes.MoveNextAsync().AsTask();
                    map.Set(Key(9), Value(10));
                    next.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    // the change never came (a damaged log): the watch ends with its token
                }
                finally
                {
                    // An enumeration is disposed only once no MoveNextAsync is pending: stopped first if a write threw.
                    stop.Cancel();
                    if (next is not null)
                    {
                        try
                        {
                            next.GetAwaiter().GetResult();
                        }
                        catch (Exception e) when (e is OperationCanceledException or ShmMapException)
                        {
                            // seen already, or the write's exception is the one the step reports
                        }
                    }
                    changes.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            });
            step("grow", () =>
            {
                for (int i = 1000; i < 1400; i++)
                {
                    map.Set(Key(i), Value(i));
                }
            });
        }
    }
}
