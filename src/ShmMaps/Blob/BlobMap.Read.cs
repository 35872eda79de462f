using System.Buffers;
using ShmMaps.Blob;

namespace ShmMaps;

public sealed unsafe partial class BlobMap
{
    /// <summary>A copy of the value of <paramref name="key"/>; false (and null) if absent.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out byte[]? value)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return TryGetValue(buffer.Bytes, out value);
    }

    /// <summary>A copy of the value of the UTF-8 key <paramref name="utf8Key"/>; false (and null) if absent.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> utf8Key, [NotNullWhen(true)] out byte[]? value)
    {
        var sink = new ArraySink();
        bool found = Read(utf8Key, ref sink);
        value = sink.Value;
        return found;
    }

    /// <summary>A copy of the value of <paramref name="key"/> and its <paramref name="version"/>, for <see cref="TryUpdate"/>; false if absent.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out byte[]? value, out long version)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return TryGetVersioned(buffer.Bytes, out value, out version);
    }

    private bool TryGetVersioned(ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value, out long version)
    {
        var sink = new VersionSink();
        bool found = Read(key, ref sink);
        value = sink.Value;
        version = found ? VersionOf(sink.Entry, sink.BlockVersion) : 0;
        return found;
    }

    /// <summary>Writes the value of <paramref name="key"/> to <paramref name="value"/> (nothing if absent); no allocation.</summary>
    public bool TryGetValue(string key, IBufferWriter<byte> value)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return TryGetValue(buffer.Bytes, value);
    }

    /// <summary>Writes the value of the UTF-8 key <paramref name="utf8Key"/> to <paramref name="value"/> (nothing if absent); no allocation.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> utf8Key, IBufferWriter<byte> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sink = new WriterSink(value);
        return Read(utf8Key, ref sink);
    }

    /// <summary>
    /// Writes the value of <paramref name="key"/> to <paramref name="value"/> (nothing if absent) and gives its
    /// <paramref name="version"/>, for <see cref="TryUpdate"/> and <see cref="TryRemove(string, long)"/>; no allocation.
    /// </summary>
    public bool TryGetValue(string key, IBufferWriter<byte> value, out long version)
    {
        ArgumentNullException.ThrowIfNull(value);
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        var sink = new WriterSink(value);
        bool found = Read(buffer.Bytes, ref sink);
        version = found ? VersionOf(sink.Entry, sink.BlockVersion) : 0;
        return found;
    }

    /// <summary>True if the map holds <paramref name="key"/>.</summary>
    public bool ContainsKey(string key)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return ContainsKey(buffer.Bytes);
    }

    /// <summary>True if the map holds the UTF-8 key <paramref name="utf8Key"/>.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> utf8Key)
    {
        var sink = new NoSink();
        return Read(utf8Key, ref sink);
    }

    /// <summary>
    /// The value of <paramref name="key"/> in place, without a copy, until the lease is disposed (no writer reuses its
    /// bytes meanwhile; writes of the key go elsewhere); <see cref="KeyNotFoundException"/> if absent.
    /// </summary>
    /// <exception cref="ShmMapException">This thread holds <see cref="BlobLeases.PerLane"/> leases already.</exception>
    public BlobLease Read(string key) => TryRead(key, out BlobLease lease) ? lease : throw new KeyNotFoundException($"key '{key}' is not in map '{Name}'");

    /// <summary>The value of <paramref name="key"/> in place until <paramref name="lease"/> is disposed; false (an empty lease) if absent.</summary>
    public bool TryRead(string key, out BlobLease lease)
    {
        using Utf8KeyBuffer buffer = EncodeKey(key, stackalloc byte[Utf8KeyBuffer.StackBytes]);
        return TryRead(buffer.Bytes, out lease);
    }

    /// <summary>The value of the UTF-8 key <paramref name="utf8Key"/> in place until <paramref name="lease"/> is disposed; false (an empty lease) if absent.</summary>
    public bool TryRead(scoped ReadOnlySpan<byte> utf8Key, out BlobLease lease)
    {
        ThrowIfDisposed();
        Lane lane = CurrentLane();
        long* word = _layout.Leases.FreeWord(lane.Index);
        if (word is null)
        {
            throw new ShmMapException($"map '{Name}': this thread holds {BlobLeases.PerLane} leases already, the most one thread may; dispose some first");
        }
        var sink = new LeaseSink(_layout.Leases, lane.Index, word);
        if (!Read(utf8Key, ref sink))
        {
            lease = default;
            return false;
        }
        lease = new BlobLease(this, lane.Index, word, sink.Block, sink.Value, sink.Length, VersionOf(sink.Entry, sink.BlockVersion));
        return true;
    }

    /// <summary>The value of <paramref name="key"/> as a copy; <see cref="KeyNotFoundException"/> if absent.</summary>
    public byte[] this[string key] => TryGetValue(key, out byte[]? value) ? value : throw new KeyNotFoundException($"key '{key}' is not in map '{Name}'");

    /// <summary>
    /// Looks <paramref name="key"/> up without a lock and hands its value to <paramref name="sink"/>, reading again if a
    /// writer moved the block on meanwhile. A miss is believed only if the state word is unchanged after it (a table this
    /// handle moved past reads as zeros).
    /// </summary>
    private bool Read<TSink>(ReadOnlySpan<byte> key, ref TSink sink)
        where TSink : struct, IValueSink, allows ref struct
    {
        ThrowIfDisposed();
        ulong hash = Hash(key);
        while (true)
        {
            BlobView view = _views.Current();
            BlobTable table = view.Older is not null && view.InOlder(hash) ? view.Older : view.Newest;
            switch (Probe(BlobTable.Cells(table.Stripe(table.StripeIndexOf(hash))), hash, key, ref sink))
            {
                case BlockRead.Found:
                    return true;
                case BlockRead.Missing when _directory.ReadState() == view.State:
                    return false;
            }
        }
    }

    /// <summary>Probes one stripe's cells from the key's home up to an empty cell, reading the blocks whose tag matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BlockRead Probe<TSink>(ulong* cells, ulong hash, ReadOnlySpan<byte> key, ref TSink sink)
        where TSink : struct, IValueSink, allows ref struct
    {
        int home = BlobTable.HomeOf(hash);
        for (int i = 0; i < BlobLayout.CellsPerStripe; i++)
        {
            // Acquire: the block an entry names was filled before the entry was stored.
            ulong entry = SharedMemory.ReadAcquire(cells + ((home + i) & (BlobLayout.CellsPerStripe - 1)));
            if (entry == BlobEntry.Empty)
            {
                return BlockRead.Missing;
            }
            if (BlobEntry.IsBlock(entry) && BlobEntry.TagMatches(entry, hash))
            {
                int cell = (home + i) & (BlobLayout.CellsPerStripe - 1);
                BlockRead read = ReadBlock(cells + cell, entry, key, ref sink);
                if (read == BlockRead.Found && _budget.Active)
                {
                    BlobBudget.Touch(cells, cell);
                }
                if (read != BlockRead.Missing)
                {
                    return read;
                }
            }
        }
        return BlockRead.Missing;
    }

    /// <summary>
    /// Reads the block <paramref name="entry"/> names: <see cref="BlockRead.Found"/> once its key is
    /// <paramref name="key"/> and its value is in <paramref name="sink"/>, all under one even version;
    /// <see cref="BlockRead.Moved"/> if the version moved (the block was freed or reused meanwhile), or if the block holds
    /// another key and <paramref name="cell"/> no longer names it (reused for another key, while the cell took a new block
    /// of ours: the probe must not pass it by).
    /// </summary>
    private BlockRead ReadBlock<TSink>(ulong* cell, ulong entry, ReadOnlySpan<byte> key, ref TSink sink)
        where TSink : struct, IValueSink, allows ref struct
    {
        byte* block = BlockOf(entry, out int size);
        uint* versionWord = BlobBlock.Version(block);
        // Acquire: the lengths and bytes read below are the version's.
        uint version = SharedMemory.ReadAcquire(versionWord);
        if ((version & 1) != 0)
        {
            // A block is freed only after its cell names another: one still named and odd is damage, not a write.
            if (SharedMemory.ReadAcquire(cell) == entry)
            {
                SharedMemory.LoadLoadBarrier();
                if (SharedMemory.ReadAcquire(versionWord) == version)
                {
                    ThrowHelper.ThrowCorrupt($"map '{Name}': a cell names the block at heap offset {BlobEntry.Offset(entry)}, which is free or half written (version {version})");
                }
            }
            return BlockRead.Moved;
        }
        int keyLength = BlobBlock.KeyLength(block);
        int valueLength = BlobBlock.ValueLength(block);
        bool fits = (uint)keyLength <= (uint)(size - BlobBlock.HeaderSize) && (uint)valueLength <= (uint)(size - BlobBlock.HeaderSize - keyLength);
        bool same = fits && keyLength == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, keyLength));
        if (same)
        {
            sink.Take(new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize + keyLength, valueLength));
        }
        // The version is read again after every byte above (a load-load barrier: a writer's reuse bumps it first).
        SharedMemory.LoadLoadBarrier();
        if (SharedMemory.ReadAcquire(versionWord) != version)
        {
            return BlockRead.Moved;
        }
        if (!fits)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': a block of {size} bytes says it holds a key of {keyLength} and a value of {valueLength} bytes");
        }
        if (!same)
        {
            return SharedMemory.ReadAcquire(cell) == entry ? BlockRead.Missing : BlockRead.Moved;
        }
        return sink.Commit(cell, entry, block, version) ? BlockRead.Found : BlockRead.Moved;
    }

    private Utf8KeyBuffer EncodeKey(string key, Span<byte> stack)
    {
        ArgumentNullException.ThrowIfNull(key);
        Utf8KeyBuffer buffer = Utf8KeyBuffer.TryEncode(key, stack, out int written) ? Utf8KeyBuffer.OnStack(stack[..written]) : Utf8KeyBuffer.From(key, MaxKeyLength);
        if (buffer.Error is { } error)
        {
            buffer.Dispose();
            throw new ArgumentException($"map '{Name}': {error}", nameof(key));
        }
        return buffer;
    }
}
