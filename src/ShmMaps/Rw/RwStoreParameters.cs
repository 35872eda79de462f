namespace ShmMaps.Rw;

/// <summary>An RwStore's kind parameters (see <see cref="RwStoreLayout"/>).</summary>
internal struct RwStoreParameters
{
    /// <summary>[0] The slots of block 0 (each next block twice its predecessor).</summary>
    public long FirstBlockSlots;

    /// <summary>[1] How many blocks the file has room for.</summary>
    public long Blocks;

    /// <summary>[2] The most elements.</summary>
    public long MaxElements;

    /// <summary>[3] The hold records of a lane: locks per thread, and one for the free-list lock.</summary>
    public long HoldsPerLane;

    /// <summary>[4] The bytes of a hold record.</summary>
    public long HoldStride;
}
