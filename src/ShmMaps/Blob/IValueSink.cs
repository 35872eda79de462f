namespace ShmMaps.Blob;

/// <summary>
/// Where a lookup puts the value it reads: <see cref="Take"/> may run more than once, <see cref="Commit"/> once for the
/// copy that held (read under one even version of its block).
/// </summary>
internal unsafe interface IValueSink
{
    /// <summary>Copies <paramref name="value"/> (bytes that may still change: a copy that did not hold is taken again).</summary>
    void Take(ReadOnlySpan<byte> value);

    /// <summary>
    /// The last copy held (its block at <paramref name="version"/>, named by <paramref name="entry"/> in
    /// <paramref name="cell"/>): keep it. False if the sink finds the block moved on after all (the lookup reads again).
    /// </summary>
    bool Commit(ulong* cell, ulong entry, byte* block, uint version);
}
