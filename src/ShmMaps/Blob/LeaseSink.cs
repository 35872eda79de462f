namespace ShmMaps.Blob;

/// <summary>A value read in place: the lookup's block is held by a lease in <see cref="Word"/> of the reader's lane once it is found still current.</summary>
internal unsafe struct LeaseSink(BlobLeases leases, int lane, long* word) : IValueSink
{
    public readonly long* Word => word;

    /// <summary>The value's first byte in the block.</summary>
    public byte* Value { get; private set; }

    public int Length { get; private set; }

    /// <summary>The leased block's heap offset.</summary>
    public long Block { get; private set; }

    /// <summary>The entry that named the block, and the block's version, when the lease held.</summary>
    public ulong Entry { get; private set; }

    public uint BlockVersion { get; private set; }

    public void Take(ReadOnlySpan<byte> value)
    {
        Value = (byte*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(value));
        Length = value.Length;
    }

    /// <summary>Names the block in the lease word, then checks that it is still the cell's at the version read (see <see cref="BlobLeases"/>).</summary>
    public bool Commit(ulong* cell, ulong entry, byte* block, uint version)
    {
        Block = BlobEntry.Offset(entry);
        leases.Hold(lane, word, Block);
        if (SharedMemory.ReadAcquire(BlobBlock.Version(block)) == version && SharedMemory.ReadAcquire(cell) == entry)
        {
            Entry = entry;
            BlockVersion = version;
            return true;
        }
        BlobLeases.Release(word, Block);
        return false;
    }
}
