namespace ShmMaps.Folklore;

/// <summary>A key as UTF-8 bytes.</summary>
internal readonly unsafe ref struct Utf8KeyMatch(ReadOnlySpan<byte> key) : IKeyMatch
{
    private readonly ReadOnlySpan<byte> _key = key;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(KeyStore keys, KeySlot* slot, ulong hash) => keys.Matches(slot, hash, _key);
}
