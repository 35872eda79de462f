namespace ShmMaps.Blob;

/// <summary>A value copied into a new array, with the entry and block version it was read under (its version).</summary>
internal struct VersionSink : IValueSink
{
    public byte[]? Value;

    public ulong Entry;

    public uint BlockVersion;

    public void Take(ReadOnlySpan<byte> value) => Value = value.ToArray();

    public unsafe bool Commit(ulong* cell, ulong entry, byte* block, uint version)
    {
        Entry = entry;
        BlockVersion = version;
        return true;
    }
}
