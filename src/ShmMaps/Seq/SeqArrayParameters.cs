namespace ShmMaps.Seq;

/// <summary>A SeqArray's kind parameters (see <see cref="SeqArrayLayout"/>).</summary>
internal struct SeqArrayParameters
{
    /// <summary>[0] The elements.</summary>
    public long Length;

    /// <summary>[1] The bytes of a cell.</summary>
    public long Stride;
}
