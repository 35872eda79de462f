namespace ShmMaps.Seq;

/// <summary>A SeqVec's kind parameters (see <see cref="SeqVecLayout"/>).</summary>
internal struct SeqVecParameters
{
    /// <summary>[0] The elements of chunk 0.</summary>
    public long InitialCapacity;

    /// <summary>[1] The most elements.</summary>
    public long MaxCapacity;

    /// <summary>[2] The bytes of a cell.</summary>
    public long Stride;
}
