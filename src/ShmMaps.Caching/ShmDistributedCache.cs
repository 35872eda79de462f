using System.Buffers;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace ShmMaps.Caching;

/// <summary>
/// An <see cref="IDistributedCache"/> that every process on the host shares at memory speed: its entries live in a
/// <see cref="BlobMap"/> (<see cref="ShmDistributedCacheOptions.MapName"/>), which any process opens by name. It is also an
/// <see cref="IBufferDistributedCache"/>, so <c>HybridCache</c> uses it as its L2 reading into its own buffers.
/// </summary>
/// <remarks>
/// <para>
/// Each entry's value starts with its expiry (<see cref="CacheEntryHeader"/>): absolute and sliding expiration as
/// <c>MemoryDistributedCache</c> reads <see cref="DistributedCacheEntryOptions"/>, against the <see cref="TimeProvider"/>
/// given (every process should use the same clock: the expiry is an instant). An expired entry is never returned; the
/// first reader that finds it removes it (if no write came between). A read of a sliding entry, and
/// <see cref="Refresh"/>, write the entry again with its expiry moved on (a compare-and-set: a write of the key by
/// another process meanwhile wins).
/// </para>
/// <para>
/// Reads take no lock (a copy checked after, as every <see cref="BlobMap"/> read); writes lock one stripe of the map. The
/// map grows as the entries do, up to its byte budget (<see cref="ShmDistributedCacheOptions.MaxBytes"/>), past which
/// writes evict entries not read lately (<see cref="BlobMap.MaxBytes"/>). Entries also leave when they are removed, read
/// after they expired, or found expired by the walk each process starts now and then
/// (<see cref="ShmDistributedCacheOptions.ExpirationScanFrequency"/>).
/// </para>
/// </remarks>
public sealed class ShmDistributedCache : IBufferDistributedCache, IDisposable
{
    /// <summary>The largest scratch buffer a thread keeps between reads.</summary>
    private const int ScratchKeptBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly BlobMap _map;
    private readonly TimeProvider _clock;
    private readonly long _scanEvery;
    private readonly ShmCacheMetrics _metrics;

    /// <summary>What keeps this process's HybridCache L1 true to other processes' changes (null: not asked for).</summary>
    private readonly HybridCacheInvalidation? _invalidation;

    /// <summary>Ends the walk under way when the cache is disposed (the walk reads the map's memory, which disposing unmaps).</summary>
    private readonly CancellationTokenSource _closing = new();

    /// <summary>When this process last started a walk (UTC ticks; Interlocked: whichever call moves it on starts the walk).</summary>
    private long _lastScan;

    /// <summary>The walk this process started last, if any (set and read under a lock of <see cref="_closing"/>).</summary>
    private Task? _scan;

    /// <summary>
    /// Opens, or creates, the cache's map as <paramref name="options"/> says, with <paramref name="clock"/> (null: the
    /// system clock); its counters go to the <c>ShmMaps</c> meter <paramref name="meters"/> makes (null: a meter of its own).
    /// </summary>
    public ShmDistributedCache(ShmDistributedCacheOptions options, TimeProvider? clock = null, IMeterFactory? meters = null)
        : this(options, clock, meters, hybrid: null)
    {
    }

    /// <summary>
    /// As the public constructor; with <paramref name="hybrid"/> (this process's HybridCache, resolved when first needed),
    /// keeps that cache's L1 true to the changes other processes make to the map.
    /// </summary>
    internal ShmDistributedCache(ShmDistributedCacheOptions options, TimeProvider? clock, IMeterFactory? meters, Func<HybridCache?>? hybrid)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.MapName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ExpirationScanFrequency, TimeSpan.Zero, nameof(options.ExpirationScanFrequency));
        if (options.MaxBytes is { } budget)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(budget, nameof(options.MaxBytes));
        }
        _map = BlobMap.OpenOrCreate(options.MapName, Math.Max(1, options.Capacity), options.ToShmOptions());
        try
        {
            if (options.MaxBytes is { } max)
            {
                _map.MaxBytes = max;
            }
            _metrics = new ShmCacheMetrics(_map, meters, ReadMap);
        }
        catch
        {
            _map.Dispose();
            throw;
        }
        _clock = clock ?? TimeProvider.System;
        _scanEvery = options.ExpirationScanFrequency.Ticks;
        _lastScan = _clock.GetUtcNow().UtcTicks;
        _invalidation = hybrid is null ? null : new HybridCacheInvalidation(_map, hybrid);
    }

    /// <summary>Opens, or creates, the cache's map as the configured <paramref name="options"/> say.</summary>
    public ShmDistributedCache(IOptions<ShmDistributedCacheOptions> options, TimeProvider? clock = null, IMeterFactory? meters = null)
        : this(options.Value, clock, meters)
    {
    }

    /// <summary>The map that holds the entries.</summary>
    public BlobMap Map => _map;

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Find(key, destination: null, copy: true, counted: true, out byte[]? value) ? value : null;
    }

    /// <inheritdoc/>
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        return Task.FromResult(Get(key));
    }

    /// <inheritdoc/>
    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(destination);
        return Find(key, destination, copy: false, counted: true, out _);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        return ValueTask.FromResult(TryGet(key, destination));
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        Set(key, new ReadOnlySequence<byte>(value), options);
    }

    /// <inheritdoc/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Set(key, value, options);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (HybridCacheInvalidation.LocalOnly)
        {
            return; // HybridCache applying another process's change here: the map has it already
        }
        DateTimeOffset now = _clock.GetUtcNow();
        CacheEntryHeader header = CacheEntryExpiration.HeaderFor(options, now);
        ScanIfDue(now.UtcTicks);
        if (value.Length > BlobMap.MaxEntryLength)
        {
            throw new ArgumentException($"a cache entry of {value.Length} bytes is more than a BlobMap value may hold ({BlobMap.MaxEntryLength})", nameof(value));
        }
        int length = CacheEntryHeader.Bytes + (int)value.Length;
        byte[] entry = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            header.Write(entry);
            value.CopyTo(entry.AsSpan(CacheEntryHeader.Bytes));
            _map.Set(key, entry.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(entry);
        }
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Set(key, value, options);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void Refresh(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Find(key, destination: null, copy: false, counted: false, out _);
    }

    /// <inheritdoc/>
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Refresh(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!HybridCacheInvalidation.LocalOnly)
        {
            _map.TryRemove(key);
        }
    }

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Remove(key);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes every expired entry, whichever process wrote it (an entry written again meanwhile stays: each removal
    /// compares the value's version); returns how many. Reads only the start of each value.
    /// </summary>
    public int RemoveExpired() => RemoveExpired(CancellationToken.None);

    /// <summary>Closes this process's handle of the map, once a walk under way has stopped (the entries stay for the other processes).</summary>
    public void Dispose()
    {
        Task? scan;
        lock (_closing)
        {
            if (_closing.IsCancellationRequested)
            {
                return;
            }
            _closing.Cancel();
            scan = _scan;
        }
        scan?.ContinueWith(static _ => { }, TaskScheduler.Default).Wait(); // its end, not its outcome
        _invalidation?.Dispose();
        lock (_closing)
        {
            _map.Dispose(); // under the lock: a metrics callback reading the map (ReadMap) is done first
        }
        _metrics.Dispose();
        _closing.Dispose();
    }

    /// <summary>What the meter's host-wide instruments read of the map (the map's bytes, or its evictions); null once the cache is disposed.</summary>
    private long? ReadMap(Func<BlobMap, long> read)
    {
        lock (_closing)
        {
            return _closing.IsCancellationRequested ? null : read(_map);
        }
    }

    private int RemoveExpired(CancellationToken cancellation)
    {
        long now = _clock.GetUtcNow().UtcTicks;
        int removed = 0;
        foreach (BlobEntryHead head in _map.Heads(CacheEntryHeader.Bytes))
        {
            cancellation.ThrowIfCancellationRequested();
            if (CacheEntryHeader.TryRead(head.Prefix, out CacheEntryHeader header) && header.HasExpired(now) && _map.TryRemove(head.Key, head.Version))
            {
                removed++;
            }
        }
        _metrics.Expired(removed);
        return removed;
    }

    /// <summary>Starts a walk removing expired entries on the thread pool if the last one this process started is <see cref="ShmDistributedCacheOptions.ExpirationScanFrequency"/> old.</summary>
    private void ScanIfDue(long now)
    {
        long last = Interlocked.Read(ref _lastScan);
        if (now - last < _scanEvery || Interlocked.CompareExchange(ref _lastScan, now, last) != last)
        {
            return;
        }
        lock (_closing)
        {
            if (_closing.IsCancellationRequested || _scan is { IsCompleted: false })
            {
                return;
            }
            CancellationToken cancellation = _closing.Token;
            // A walk that fails (a damaged map) leaves the entries to the reads that find them expired; the next walk tries again.
            _scan = Task.Run(() => RemoveExpired(cancellation), cancellation);
        }
    }

    /// <summary>
    /// Looks <paramref name="key"/> up: a live entry's payload goes to <paramref name="destination"/> or, with
    /// <paramref name="copy"/>, into <paramref name="value"/>, and a sliding one is written again with its expiry moved on;
    /// an expired one is removed (if no write came between). False for a miss; a read's outcome <paramref name="counted"/>.
    /// </summary>
    private bool Find(string key, IBufferWriter<byte>? destination, bool copy, bool counted, out byte[]? value)
    {
        bool found = Look(key, destination, copy, out value);
        if (counted)
        {
            _metrics.Read(found);
        }
        return found;
    }

    private bool Look(string key, IBufferWriter<byte>? destination, bool copy, out byte[]? value)
    {
        value = null;
        long now = _clock.GetUtcNow().UtcTicks;
        ScanIfDue(now);
        // The entry is copied whole (a lock-free read, checked after) into this thread's scratch, then its payload out of it.
        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(4096);
        scratch.ResetWrittenCount();
        try
        {
            if (!_map.TryGetValue(key, scratch, out long version) || !CacheEntryHeader.TryRead(scratch.WrittenSpan, out CacheEntryHeader header))
            {
                return false; // absent, or not an entry of this cache
            }
            if (header.HasExpired(now))
            {
                _metrics.Expired(_map.TryRemove(key, version) ? 1 : 0);
                return false;
            }
            ReadOnlySpan<byte> payload = scratch.WrittenSpan[CacheEntryHeader.Bytes..];
            destination?.Write(payload);
            value = copy ? payload.ToArray() : null;
            CacheEntryHeader accessed = header.AccessedAt(now);
            if (accessed.ExpiresAt != header.ExpiresAt)
            {
                accessed.Write(System.Runtime.InteropServices.MemoryMarshal.AsMemory(scratch.WrittenMemory).Span); // the scratch is this thread's own
                _map.TryUpdate(key, scratch.WrittenSpan, version); // false: another write of the key came between, and stands
            }
            return true;
        }
        finally
        {
            if (scratch.Capacity > ScratchKeptBytes)
            {
                t_scratch = null; // a large entry's buffer is not kept for the thread's life
            }
        }
    }
}
