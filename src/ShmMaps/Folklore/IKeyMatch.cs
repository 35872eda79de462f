namespace ShmMaps.Folklore;

/// <summary>A key being looked for, in whatever form the caller has it: tells whether a key slot holds it.</summary>
internal unsafe interface IKeyMatch
{
    /// <summary>True if <paramref name="slot"/> of <paramref name="keys"/> (null: an entry naming no slot) holds this key, whose hash is <paramref name="hash"/>.</summary>
    bool Matches(KeyStore keys, KeySlot* slot, ulong hash);
}
